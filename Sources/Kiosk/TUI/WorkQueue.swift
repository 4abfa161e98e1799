import Foundation
import Vision

/// The desk's background work that must not be lost (writing a visit, saving an
/// enrollment, checking a PIN): jobs run one after another in the order they were
/// given, off the UI thread, and quitting waits for them (`drain`). Their heavy parts
/// run on the face engine's and the store's own threads, so a job waiting here never
/// holds a thread of the cooperative pool.
final class WorkQueue: Sendable {
    private typealias Job = (label: String, work: @Sendable () async -> Void)

    private let continuation: AsyncStream<Job>.Continuation
    /// Labels of the jobs submitted and not finished, oldest first.
    private let unfinished = Shared<[(id: Int, label: String)]>([])
    private let nextId = Shared(0)

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Job.self)
        self.continuation = continuation
        let unfinished = self.unfinished
        Task.detached {
            for await job in stream {
                await job.work()
                unfinished.update { $0.removeFirst() }
            }
        }
    }

    /// Queues `work`; `label` names it if quitting has to leave it unfinished.
    func submit(_ label: String, _ work: @escaping @Sendable () async -> Void) {
        let id = nextId.update { value -> Int in value += 1; return value }
        unfinished.update { $0.append((id, label)) }
        continuation.yield((label, work))
    }

    var pendingCount: Int { unfinished.get().count }

    /// Waits, without holding a thread, until every job finished or `timeout` seconds
    /// passed; returns the labels of the jobs still unfinished.
    func drain(timeout: Double) async -> [String] {
        let deadline = monotonicSeconds() + timeout
        while monotonicSeconds() < deadline {
            if unfinished.get().isEmpty { return [] }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return unfinished.get().map(\.label)
    }
}
