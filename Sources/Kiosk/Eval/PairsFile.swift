/// The LFW pairs format: a header "FOLDS PAIRS_PER_FOLD" (or just the pair count, for
/// one fold), then per fold PAIRS_PER_FOLD same-person lines "Name i j" followed by
/// PAIRS_PER_FOLD different-person lines "Name1 i Name2 j". Images live at
/// ROOT/Name/Name_NNNN.jpg (four digits).
struct PairsFile: Equatable {
    struct Pair: Equatable {
        let first: String
        let second: String
        let samePerson: Bool
        let fold: Int
    }

    struct ParseError: Error, CustomStringConvertible, Equatable {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    let folds: Int
    let pairs: [Pair]

    static func imagePath(root: String, name: String, number: Int) -> String {
        let digits = String(number)
        return root + "/" + name + "/" + name + "_" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".jpg"
    }

    static func parse(_ text: String, root: String) throws(ParseError) -> PairsFile {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) }
            .enumerated().filter { !$0.element.isEmpty }
        guard let header = lines.first else { throw ParseError(line: 1, message: "empty file") }
        let numbers = header.element.compactMap { Int($0) }
        guard numbers.count == header.element.count, (1...2).contains(numbers.count), numbers.allSatisfy({ $0 > 0 }) else {
            throw ParseError(line: header.offset + 1, message: "the header must be \"FOLDS PAIRS_PER_FOLD\"")
        }
        let folds = numbers.count == 2 ? numbers[0] : 1
        let perFold = numbers.count == 2 ? numbers[1] : numbers[0]
        var pairs: [Pair] = []
        for (index, (offset, fields)) in lines.dropFirst().enumerated() {
            let lineNumber = offset + 1
            let fold = index / (2 * perFold)
            let shouldBeSame = index % (2 * perFold) < perFold
            switch fields.count {
            case 3:
                guard let i = Int(fields[1]), let j = Int(fields[2]) else { throw ParseError(line: lineNumber, message: "expected Name i j") }
                pairs.append(Pair(first: imagePath(root: root, name: fields[0], number: i),
                                  second: imagePath(root: root, name: fields[0], number: j), samePerson: true, fold: fold))
            case 4:
                guard let i = Int(fields[1]), let j = Int(fields[3]) else { throw ParseError(line: lineNumber, message: "expected Name1 i Name2 j") }
                pairs.append(Pair(first: imagePath(root: root, name: fields[0], number: i),
                                  second: imagePath(root: root, name: fields[2], number: j), samePerson: false, fold: fold))
            default:
                throw ParseError(line: lineNumber, message: "expected 3 fields (same person) or 4 (different people)")
            }
            if pairs.last!.samePerson != shouldBeSame {
                throw ParseError(line: lineNumber, message: "a \(shouldBeSame ? "same" : "different")-person pair was expected here by the header")
            }
        }
        guard pairs.count == folds * perFold * 2 else {
            throw ParseError(line: lines.last!.offset + 1, message: "the header announces \(folds * perFold * 2) pairs, the file has \(pairs.count)")
        }
        return PairsFile(folds: folds, pairs: pairs)
    }
}
