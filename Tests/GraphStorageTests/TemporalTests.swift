import Testing
@testable import GraphStorage

/// The calendar, the ISO 8601 grammar and the text forms of temporal values, and their record encoding.
struct TemporalTests {
    @Test(
        "every ISO 8601 date form openCypher accepts reads to the same day",
        arguments: [
            ("2015-07-21", "2015-07-21"), ("20150721", "2015-07-21"), ("2015-07", "2015-07-01"), ("201507", "2015-07-01"),
            ("2015-W30-2", "2015-07-21"), ("2015W302", "2015-07-21"), ("2015-W30", "2015-07-20"), ("2015W30", "2015-07-20"),
            ("2015-202", "2015-07-21"), ("2015202", "2015-07-21"), ("2015", "2015-01-01"), ("2015-Q3-21", "2015-07-21"),
            ("2015Q321", "2015-07-21"), ("-0044-03-15", "-0044-03-15"), ("+999999999-12-31", "+999999999-12-31"),
            ("2024-02-29", "2024-02-29"), ("2020-W53-7", "2021-01-03"),
        ])
    func dates(_ text: String, _ expected: String) throws {
        let day = try #require(ISO8601Parser.date(text), "\(text) should read as a date")
        #expect(TemporalText.date(day) == expected)
    }

    @Test(
        "impossible or malformed dates are refused",
        arguments: ["2023-02-29", "2015-13-01", "2015-00-10", "2015-366", "2015-W54", "2014-W53-1", "2015-Q5", "15-07-21",
            "2015-07-21x", "", "2015-7-21", "2015-Q1-91"])
    func badDates(_ text: String) {
        #expect(ISO8601Parser.date(text) == nil, "\(text) is no date")
    }

    @Test(
        "times with offsets read and print as java.time does",
        arguments: [
            ("21:40:32.142+0100", "21:40:32.142+01:00"), ("214032.142Z", "21:40:32.142Z"), ("2140-00:00", "21:40Z"),
            ("2140-02", "21:40-02:00"), ("22+18:00", "22:00+18:00"), ("12:34:56+02:05:59", "12:34:56+02:05:59"),
            ("12:00:00.000000001Z", "12:00:00.000000001Z"), ("12:00:00.1200Z", "12:00:00.120Z"),
            ("12:00:00.000120Z", "12:00:00.000120Z"),
        ])
    func times(_ text: String, _ expected: String) throws {
        let t = try #require(ISO8601Parser.time(text))
        #expect(TemporalText.format(.time(nanos: t.nanos, offset: t.offset ?? 0)) == expected)
    }

    @Test("times out of range and offsets beyond ±18 hours are refused", arguments: ["24:00", "12:60", "12:00:60", "12+19:00", "1", "12:00:00.1234567890"])
    func badTimes(_ text: String) {
        #expect(ISO8601Parser.time(text) == nil, "\(text) is no time")
    }

    @Test("datetimes with named zones take the zone's offset at that date, including historical ones")
    func namedZones() throws {
        let cases = [
            ("2015-07-21T21:40:32.142[Europe/London]", "2015-07-21T21:40:32.142+01:00[Europe/London]"),
            ("2015-01-21T21:40:32.142[Europe/London]", "2015-01-21T21:40:32.142Z[Europe/London]"),
            ("1818-07-21T21:40:32.142[Europe/Stockholm]", "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]"),
            ("2015-07-21T21:40:32.142+0845[Australia/Eucla]", "2015-07-21T21:40:32.142+08:45[Australia/Eucla]"),
            // 02:30 does not exist on 2026-03-29 in Amsterdam: the clock moves on by the gap, to 03:30.
            ("2026-03-29T02:30[Europe/Amsterdam]", "2026-03-29T03:30+02:00[Europe/Amsterdam]"),
            // 02:30 happens twice on 2026-10-25: the earlier offset wins.
            ("2026-10-25T02:30[Europe/Amsterdam]", "2026-10-25T02:30+02:00[Europe/Amsterdam]"),
        ]
        for (text, expected) in cases {
            let t = try #require(ISO8601Parser.dateTime(text), "\(text)")
            #expect(TemporalText.format(t) == expected)
        }
        #expect(ISO8601Parser.dateTime("2015-07-21T21:40[Mars/Olympus]") == nil, "an unknown zone is refused")
    }

    @Test(
        "durations in every ISO 8601 form, fractions cascading to smaller units",
        arguments: [
            ("P14DT16H12M", "P14DT16H12M"), ("P5M1.5D", "P5M1DT12H"), ("P0.75M", "P22DT19H51M49.5S"), ("PT0.75M", "PT45S"),
            ("P2.5W", "P17DT12H"), ("P12Y5M14DT16H12M70S", "P12Y5M14DT16H13M10S"),
            ("P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"), ("PT-1.999S", "PT-1.999S"), ("-P1D", "P-1D"),
            ("PT0S", "PT0S"), ("PT1M-60S", "PT0S"),
        ])
    func durations(_ text: String, _ expected: String) throws {
        let d = try #require(ISO8601Parser.duration(text), "\(text) should read as a duration")
        #expect(d.description == expected)
    }

    @Test("malformed durations are refused", arguments: ["P", "PT", "P1H", "PT1D", "P1M1Y", "1D", "P1.5", "PT99999999999999999999S"])
    func badDurations(_ text: String) {
        #expect(ISO8601Parser.duration(text) == nil, "\(text) is no duration")
    }

    @Test("years print with four digits, a sign before negative years and years past 9999")
    func years() {
        #expect(TemporalText.year(0) == "0000")
        #expect(TemporalText.year(28) == "0028")
        #expect(TemporalText.year(-1) == "-0001")
        #expect(TemporalText.year(12345) == "+12345")
    }

    @Test("ISO week dates at the edges of the year")
    func weekDates() {
        // 1984-01-01 was a Sunday in week 52 of 1983; 2020 has 53 weeks.
        let w = CivilCalendar.weekDate(CivilCalendar.epochDay(1984, 1, 1))
        #expect(w.weekYear == 1983 && w.week == 52 && w.dayOfWeek == 7)
        #expect(CivilCalendar.weeksInWeekYear(2020) == 53)
        #expect(CivilCalendar.weeksInWeekYear(2021) == 52)
        #expect(CivilCalendar.addMonths(CivilCalendar.epochDay(2024, 1, 31), 1) == CivilCalendar.epochDay(2024, 2, 29))
    }

    @Test("UTC datetimes keep the old record tag, so old files read the same; other temporal values round-trip")
    func recordEncoding() throws {
        var w = ByteWriter()
        RecordCodec.encodeValue(&w, .datetime(micros: 1_700_000_000_123_456))
        #expect(w.bytes.first == 6, "a UTC datetime is written as before (tag 6, microseconds)")
        let values: [PropertyValue] = [
            .temporal(.date(day: CivilCalendar.epochDay(2027, 1, 31))),
            .temporal(.localTime(nanos: 45_296_000_000_001)),
            .temporal(.time(nanos: 45_296_000_000_000, offset: -3600)),
            .temporal(.localDateTime(day: -719_528, nanos: 1)),
            .temporal(.dateTime(day: 20_000, nanos: 7_200_000_000_000, offset: 3600, zone: "Europe/Amsterdam")),
            .temporal(.dateTime(day: 20_000, nanos: 1, offset: 0, zone: nil)),
            .duration(try #require(TemporalDuration(months: 14, days: -3, seconds: -5, nanos: 250))),
            .list([.temporal(.date(day: 1)), .temporal(.date(day: 2))]),
        ]
        for value in values {
            var w = ByteWriter()
            RecordCodec.encodeValue(&w, value)
            let back = try w.bytes.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                return try RecordCodec.decodeValue(&r, depth: 0)
            }
            #expect(back == value)
            // Skipping a value (reading one property of a record) moves past exactly its bytes.
            w.u8(3)
            w.signedVarint(42)
            let next = try w.bytes.withUnsafeBytes { raw in
                var r = ByteReader(raw)
                try RecordCodec.skipValue(&r, depth: 0)
                return try RecordCodec.decodeValue(&r, depth: 0)
            }
            #expect(next == .int(42), "skipping \(value)")
        }
    }

    @Test("temporal values do not make every stored value bigger: they are boxed")
    func valueSize() {
        #expect(MemoryLayout<PropertyValue>.size <= MemoryLayout<String>.size + 1)
    }

    @Test("the old microsecond datetime parser's forms still read to the same instant")
    func legacyInstants() {
        #expect(ISODateTime.parse("2026-11-22T02:00:00Z") == 1_795_312_800_000_000)
        #expect(ISODateTime.parse("2026-11-22T03:00:00+01:00") == 1_795_312_800_000_000)
        #expect(ISODateTime.parse("2026-11-22 02:00") == 1_795_312_800_000_000)
        #expect(ISODateTime.parse("2026-11-22") == 1_795_305_600_000_000)
        #expect(ISODateTime.parse("2026-02-30T00:00:00Z") == nil)
        #expect(ISODateTime.format(1_795_312_800_500_000) == "2026-11-22T02:00:00.5Z")
    }
}
