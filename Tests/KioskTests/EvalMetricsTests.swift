import Testing
@testable import Kiosk

@Suite("Evaluation: pairs file and metrics")
struct EvalMetricsTests {
    @Test func parsesTheLFWFormat() throws {
        let file = try PairsFile.parse("2\t1\nAnn\t1\t2\nAnn\t1\tBob\t3\nCid\t2\t10\nCid\t1\tDee\t12\n", root: "/r")
        #expect(file.folds == 2)
        #expect(file.pairs.count == 4)
        #expect(file.pairs[0] == .init(first: "/r/Ann/Ann_0001.jpg", second: "/r/Ann/Ann_0002.jpg", samePerson: true, fold: 0))
        #expect(file.pairs[1] == .init(first: "/r/Ann/Ann_0001.jpg", second: "/r/Bob/Bob_0003.jpg", samePerson: false, fold: 0))
        #expect(file.pairs[2].second == "/r/Cid/Cid_0010.jpg")
        #expect(file.pairs[3].fold == 1)
    }

    @Test(arguments: [
        ("", "empty"),
        ("x y\nAnn 1 2\n", "header"),
        ("1 1\nAnn 1 2\n", "announces 2 pairs"),
        ("1 1\nAnn 1 Bob 2\nAnn 1 2\n", "same-person pair was expected"),
        ("1 1\nAnn one 2\nAnn 1 Bob 2\n", "expected Name i j"),
    ])
    func rejectsMalformedFiles(text: String, expected: String) {
        do {
            _ = try PairsFile.parse(text, root: "/r")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    typealias S = VerificationMetrics.Scored

    @Test func accuracyAndNoFacePairs() {
        let metrics = VerificationMetrics(pairs: [
            S(distance: 0.3, samePerson: true, fold: 0), S(distance: .infinity, samePerson: true, fold: 0),
            S(distance: 0.8, samePerson: false, fold: 0), S(distance: 0.5, samePerson: false, fold: 0),
        ])
        // 0.3 same ✓, no-face same ✗, 0.8 different ✓, 0.5 different ✗ at 0.6.
        #expect(metrics.accuracy(threshold: 0.6) == 0.5)
        #expect(metrics.accuracy(threshold: 0.4) == 0.75)
    }

    @Test func tenFoldPicksThresholdsOnTheOtherFolds() {
        // Perfectly separable at any threshold in (0.5, 0.7): every fold scores 100%.
        var pairs: [S] = []
        for fold in 0..<10 {
            pairs.append(S(distance: 0.4 + Double(fold) * 0.01, samePerson: true, fold: fold))
            pairs.append(S(distance: 0.7 + Double(fold) * 0.01, samePerson: false, fold: fold))
        }
        let result = VerificationMetrics(pairs: pairs).tenFold()
        #expect(result.folds == 10)
        #expect(result.accuracyMean == 1)
        #expect(result.accuracyStd == 0)
        #expect(result.thresholdMean > 0.49 && result.thresholdMean < 0.7)
    }

    @Test func tarAtFARUsesTheImpostorQuantile() {
        var pairs: [S] = (0..<100).map { S(distance: 0.5 + Double($0) * 0.005, samePerson: false, fold: 0) }
        pairs += [0.3, 0.45, 0.502, 0.51, 0.9].map { S(distance: $0, samePerson: true, fold: 0) }
        let metrics = VerificationMetrics(pairs: pairs)
        // FAR 1e-2 allows 1 of 100 impostors: threshold just under the 2nd smallest (0.505).
        let far2 = metrics.tar(atFAR: 1e-2)
        #expect(far2.allowedFalseAccepts == 1)
        #expect(far2.tar == 3.0 / 5.0)
        // FAR 1e-3 cannot be resolved with 100 impostors: nothing below the smallest may pass.
        let far3 = metrics.tar(atFAR: 1e-3)
        #expect(far3.allowedFalseAccepts == 0)
        #expect(far3.tar == 2.0 / 5.0)
    }
}
