/// The encoding of change records.
///
/// ```
/// [fmt u8 = 1][time zigzag varint µs][actor: len varint, utf8][has reference u8][reference][origin]
/// [nodes created, updated, deleted varints][relations created, updated, deleted varints]
/// ```
enum ChangeRecordCodec {
    static func encode(_ r: ChangeRecord) -> [UInt8] {
        var w = ByteWriter()
        w.u8(1)
        w.signedVarint(r.time)
        w.string(r.info.actor)
        w.u8(r.info.changeReference == nil ? 0 : 1)
        w.string(r.info.changeReference ?? "")
        w.string(r.info.origin)
        for n in [r.nodesCreated, r.nodesUpdated, r.nodesDeleted, r.relationsCreated, r.relationsUpdated,
            r.relationsDeleted]
        {
            w.varint(UInt64(n))
        }
        return w.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, transaction: TransactionNumber) throws
        -> ChangeRecord
    {
        var r = unsafe ByteReader(bytes)
        guard unsafe try r.u8() == 1 else { throw RecordCodec.unknownFormat }
        let time = unsafe try r.signedVarint()
        let actor = unsafe try r.string()
        let hasReference = unsafe try r.u8() == 1
        let reference = unsafe try r.string()
        let origin = unsafe try r.string()
        var record = ChangeRecord(
            transaction: transaction, time: time,
            info: ChangeInfo(actor: actor, changeReference: hasReference ? reference : nil, origin: origin))
        record.nodesCreated = unsafe Int(try r.varint())
        record.nodesUpdated = unsafe Int(try r.varint())
        record.nodesDeleted = unsafe Int(try r.varint())
        record.relationsCreated = unsafe Int(try r.varint())
        record.relationsUpdated = unsafe Int(try r.varint())
        record.relationsDeleted = unsafe Int(try r.varint())
        return record
    }
}
