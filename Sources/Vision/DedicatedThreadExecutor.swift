import Foundation

/// A serial executor that runs its jobs on one thread of its own, outside Swift's
/// cooperative pool. The pool has one thread per core (two here): blocking work on it
/// (dlib's detector and network, SQLite waiting for a lock) would stall every other
/// task, including the screen. Actors that do such work run here instead:
/// `nonisolated var unownedExecutor` returns `executor.asUnownedSerialExecutor()`.
public final class DedicatedThreadExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    public let name: String

    /// The face engine's thread: dlib work, one face at a time.
    public static let vision = DedicatedThreadExecutor(name: "kiosk-vision")
    /// The front desk's thread: gallery search and database work.
    public static let store = DedicatedThreadExecutor(name: "kiosk-store")

    public init(name: String) {
        self.name = name
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.stackSize = 8 << 20  // dlib's network recursion wants more than the default
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock { jobs.append(job) }
        condition.signal()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// The executors live as long as the process (they are static), so the loop never ends.
    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
        }
    }
}
