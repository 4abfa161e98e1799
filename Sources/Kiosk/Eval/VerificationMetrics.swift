/// Face verification metrics over scored pairs: a pair "matches" when its distance is at
/// most the threshold. A pair whose image had no face has distance +infinity: it never
/// matches (an error for a same-person pair), which is how LFW results count failures.
struct VerificationMetrics {
    struct Scored: Equatable {
        let distance: Double
        let samePerson: Bool
        let fold: Int
    }

    let pairs: [Scored]

    func accuracy(threshold: Double, in subset: [Scored]? = nil) -> Double {
        let set = subset ?? pairs
        guard !set.isEmpty else { return 0 }
        let correct = set.filter { ($0.distance <= threshold) == $0.samePerson }.count
        return Double(correct) / Double(set.count)
    }

    /// The threshold with the best accuracy on `subset` (ties: the midpoint of the best run).
    func bestThreshold(on subset: [Scored]) -> Double {
        let finite = subset.map(\.distance).filter(\.isFinite).sorted()
        guard !finite.isEmpty else { return 0.6 }
        var candidates = [finite[0] - 1e-6]
        for i in 0..<finite.count {
            candidates.append(i + 1 < finite.count ? (finite[i] + finite[i + 1]) / 2 : finite[i] + 1e-6)
        }
        var best = candidates[0], bestAccuracy = -1.0
        for candidate in candidates {
            let a = accuracy(threshold: candidate, in: subset)
            if a > bestAccuracy { best = candidate; bestAccuracy = a }
        }
        return best
    }

    struct CrossValidation: Equatable {
        let accuracyMean: Double
        let accuracyStd: Double
        let thresholdMean: Double
        let folds: Int
    }

    /// The LFW protocol: for each fold, the threshold is chosen on the other folds and
    /// the accuracy measured on that fold. With fewer than 2 folds in the file, pairs are
    /// dealt into 10 folds in turn (index mod 10).
    func tenFold() -> CrossValidation {
        let distinctFolds = Set(pairs.map(\.fold))
        let scored: [Scored] = distinctFolds.count >= 2 ? pairs
            : pairs.enumerated().map { Scored(distance: $0.element.distance, samePerson: $0.element.samePerson, fold: $0.offset % 10) }
        let folds = Set(scored.map(\.fold)).sorted()
        var accuracies: [Double] = [], thresholds: [Double] = []
        for fold in folds {
            let train = scored.filter { $0.fold != fold }, test = scored.filter { $0.fold == fold }
            let threshold = bestThreshold(on: train)
            thresholds.append(threshold)
            accuracies.append(accuracy(threshold: threshold, in: test))
        }
        let mean = accuracies.reduce(0, +) / Double(max(1, accuracies.count))
        let variance = accuracies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, accuracies.count))
        return CrossValidation(accuracyMean: mean, accuracyStd: variance.squareRoot(),
                               thresholdMean: thresholds.reduce(0, +) / Double(max(1, thresholds.count)), folds: folds.count)
    }

    struct TARAtFAR: Equatable {
        /// Fraction of same-person pairs accepted.
        let tar: Double
        /// The threshold used: the largest at which at most `far` of different-person pairs are accepted.
        let threshold: Double
        /// False accepts allowed by `far` given the number of different-person pairs
        /// (0 means the FAR is below what this many pairs can resolve).
        let allowedFalseAccepts: Int
    }

    func tar(atFAR far: Double) -> TARAtFAR {
        let impostors = pairs.filter { !$0.samePerson }.map(\.distance).sorted()
        let genuine = pairs.filter(\.samePerson).map(\.distance)
        let allowed = Int((far * Double(impostors.count)).rounded(.down))
        // Accept strictly below the (allowed+1)-th smallest impostor distance.
        let threshold: Double = allowed < impostors.count ? impostors[allowed].nextDown : .infinity
        let accepted = genuine.filter { $0 <= threshold }.count
        return TARAtFAR(tar: genuine.isEmpty ? 0 : Double(accepted) / Double(genuine.count),
                        threshold: threshold, allowedFalseAccepts: allowed)
    }
}
