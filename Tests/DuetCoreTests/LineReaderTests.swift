@testable import DuetCore
import Testing

@Suite struct LineReaderTests {
    @Test func splitsOnLFAndStripsCR() throws {
        #expect(try T.lines(Array("a\r\nbb\r\n\r\nccc".utf8)) == ["a", "bb", "", "ccc"])
    }

    @Test func crOnlyInTheMiddleIsKept() throws {
        // Only a CR right before LF is a terminator; a lone CR inside a line stays.
        #expect(try T.lines(Array("a\rb\nc\r".utf8)) == ["a\rb", "c"])
    }

    @Test func bomStrippedOnlyOnFirstLine() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let bytes = bom + Array("x\n".utf8) + bom + Array("y\n".utf8)
        let lines = try T.lines(bytes)
        #expect(lines.count == 2)
        #expect(lines[0] == "x")
        #expect(Array(lines[1].utf8) == bom + Array("y".utf8))
    }

    @Test func bomAloneIsAnEmptyFirstLine() throws {
        #expect(try T.lines([0xEF, 0xBB, 0xBF]) == [""])
    }

    @Test func lastLineWithoutNewline() throws {
        #expect(try T.lines(Array("one\ntwo".utf8)) == ["one", "two"])
        #expect(try T.lines(Array("one\ntwo\n".utf8)) == ["one", "two"])
    }

    @Test func emptyInputHasNoLines() throws {
        #expect(try T.lines([]) == [])
        #expect(try T.lines(Array("\n".utf8)) == [""])
    }

    @Test func emptyLinesAreCountedInLineNumbers() throws {
        var r = LineReader(MemoryByteSource("a\n\n\nb\n"))
        var seen: [(Int, String)] = []
        while let l = try r.next() { seen.append((r.lineNumber, String(decoding: l, as: UTF8.self))) }
        #expect(seen.map(\.0) == [1, 2, 3, 4])
        #expect(seen.map(\.1) == ["a", "", "", "b"])
        #expect(r.lineNumber == 4)
    }

    @Test(arguments: 1...7)
    func tinyChunksGiveTheSameLines(chunkSize: Int) throws {
        // BOM, CRLF, multi-byte UTF-8 (é, 🙂) and empty lines, all split across chunk boundaries.
        let text = "\u{FEFF}héllo\r\n\r\nwörld 🙂\nlast\r\n"
        let lines = try T.lines(Array(text.utf8), chunkSize: chunkSize)
        #expect(lines == ["héllo", "", "wörld 🙂", "last"])
    }

    @Test(arguments: [1, 2, 3, 5, 7])
    func crlfSplitBetweenChunks(chunkSize: Int) throws {
        // CR at the end of one chunk and LF at the start of the next.
        let lines = try T.lines(Array("ab\r\ncd\r\nef".utf8), chunkSize: chunkSize)
        #expect(lines == ["ab", "cd", "ef"])
    }

    @Test func multiMegabyteLineReadIntact() throws {
        let size = 5 * 1024 * 1024
        var big = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        big[0] = UInt8(ascii: "<")
        big[size - 1] = UInt8(ascii: ">")
        let bytes = Array("first\n".utf8) + big + Array("\r\nlast".utf8)
        var r = LineReader(MemoryByteSource(bytes, chunkSize: 4096))
        let l1 = try #require(try r.next())
        #expect(Array(l1) == Array("first".utf8))
        let l2 = try #require(try r.next())
        #expect(l2.count == size)
        #expect(l2.first == UInt8(ascii: "<"))
        #expect(l2.last == UInt8(ascii: ">"))
        #expect(l2.dropFirst().dropLast().allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(r.lineNumber == 2)
        let l3 = try #require(try r.next())
        #expect(Array(l3) == Array("last".utf8))
        #expect(r.lineNumber == 3)
        #expect(try r.next() == nil)
    }

    @Test func memoryByteSourceChunks() throws {
        var s = MemoryByteSource(Array("abcdefg".utf8), chunkSize: 3)
        #expect(try s.nextChunk() == Array("abc".utf8))
        #expect(try s.nextChunk() == Array("def".utf8))
        #expect(try s.nextChunk() == Array("g".utf8))
        #expect(try s.nextChunk() == nil)
        var z = MemoryByteSource(Array("ab".utf8), chunkSize: 0)  // clamped to 1
        #expect(try z.nextChunk() == Array("a".utf8))
    }

    @Test func utf8CheckReportsByteColumn() {
        #expect(UTF8Check.firstInvalidColumn(Array("plain".utf8)[...]) == nil)
        #expect(UTF8Check.firstInvalidColumn(Array("é🙂".utf8)[...]) == nil)
        // "é" is two bytes, so the stray 0xFF is byte 3.
        #expect(UTF8Check.firstInvalidColumn((Array("é".utf8) + [0xFF, 0x41])[...]) == 3)
        #expect(UTF8Check.firstInvalidColumn([0x41, 0x42, 0xC3][...]) == 3)  // truncated sequence at the end
        #expect(UTF8Check.firstInvalidColumn([0x80][...]) == 1)
    }
}
