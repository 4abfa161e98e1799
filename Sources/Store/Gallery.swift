import Vision

/// The result of looking a face up among enrolled people.
public struct Identification: Sendable, Equatable {
    public let personId: Int64
    public let name: String
    /// Smallest distance over the person's templates.
    public let distance: Double
    /// The next-closest *other* person, so callers can tell a clear match from an ambiguous one.
    public let runnerUp: (personId: Int64, distance: Double)?

    public init(personId: Int64, name: String, distance: Double, runnerUp: (personId: Int64, distance: Double)?) {
        self.personId = personId
        self.name = name
        self.distance = distance
        self.runnerUp = runnerUp
    }

    public static func == (a: Identification, b: Identification) -> Bool {
        a.personId == b.personId && a.distance == b.distance && a.runnerUp?.personId == b.runnerUp?.personId
            && a.runnerUp?.distance == b.runnerUp?.distance
    }
}

/// All enrolled templates in memory, searchable by face. Loaded once at start;
/// enroll and erase update it in place, without reloading.
public struct Gallery: Sendable {
    private var index = FaceIndex<Int64>()
    public internal(set) var names: [Int64: String] = [:]
    /// Templates stored for another embedding model (need re-enrollment).
    public var otherModelTemplates = 0

    public init() {}

    public var templateCount: Int { index.count }
    public var personCount: Int { names.count }

    public mutating func add(_ embedding: Embedding, personId: Int64) {
        index.add(embedding, for: personId)
    }

    /// Adds a newly enrolled person's templates.
    public mutating func add(person: Person, embeddings: [Embedding]) {
        guard let id = person.id else { return }
        names[id] = person.name
        for embedding in embeddings { index.add(embedding, for: id) }
    }

    /// Names a person whose templates are added one by one (`add(_:personId:)`).
    public mutating func setName(_ name: String, personId: Int64) {
        names[personId] = name
    }

    public mutating func remove(personId: Int64) {
        index.remove(key: personId)
        names[personId] = nil
    }

    /// The closest person and the runner-up person; nil when nobody is enrolled.
    public func identify(_ embedding: Embedding) -> Identification? {
        let hits = index.nearestKeys(to: embedding, limit: 2)
        guard let best = hits.first else { return nil }
        let runnerUp = hits.count > 1 ? (personId: hits[1].key, distance: hits[1].distance) : nil
        return Identification(personId: best.key, name: names[best.key] ?? "?", distance: best.distance, runnerUp: runnerUp)
    }
}
