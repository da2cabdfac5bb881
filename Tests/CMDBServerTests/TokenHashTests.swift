import Foundation
import Testing

@testable import CMDBServer

@Suite("Token hashes (swift-crypto's SHA-256)")
struct TokenHashTests {
    @Test("the FIPS 180-4 examples and padding edge lengths")
    func vectors() {
        #expect(TokenStore.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenStore.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            TokenStore.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(TokenStore.hash(String(repeating: "a", count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(TokenStore.hash(String(repeating: "a", count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
        #expect(
            TokenStore.hash(String(repeating: "a", count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("a token file written before the switch to swift-crypto still lets its tokens in")
    func existingStoreVerifies() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cmdb-tokens-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A line as `cmdb token create` wrote it with the SHA-256 of our own; the hash is `printf %s SECRET | sha256sum`.
        let secret = "cmdb_5f2c9a1e7b3d4c8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
        let line = #"{"name":"ops-bot","role":"editor","sha256":"bdf6b28dec9766019398f6f6ae9fc90e9e9fc9291f0440644c32eeb9a7477c0d","created":1764979200}"#
        try (line + "\n").write(toFile: directory + "/tokens", atomically: true, encoding: .utf8)
        let cache = TokenCache(store: TokenStore(databaseDirectory: directory))
        let token = try #require(cache.token(forSecret: secret))
        #expect(token.name == "ops-bot" && token.role == .editor)
        #expect(cache.token(forSecret: secret + "0") == nil)
        #expect(cache.token(forSecret: "bdf6b28dec9766019398f6f6ae9fc90e9e9fc9291f0440644c32eeb9a7477c0d") == nil)
    }
}
