import DeskCore
import Foundation
import Logging
import Store
import Vision

/// The kiosk's UI loop, on a thread of its own (curses belongs to one thread): it reads
/// keys, takes results from the mailbox, hands both to the desk or staff controller,
/// keeps the desk's state current (gallery, PIN, pending visits) and redraws what changed.
///
/// @unchecked Sendable: the instance is handed to the UI thread once and used only
/// there; background work reaches it solely through `mailbox`, which has its own lock.
final class KioskApp: @unchecked Sendable {
    enum Message: Sendable {
        case event(DeskMachine.Event)
        case faceBox(FaceBox?, sequence: Int)
        /// The desk's state after a refresh or a write.
        case status(DeskStatus)
        case staffOpened
        case staffLoaded(StaffPage)
        case staffMessage(String)
    }

    struct Options {
        var spec: SourceSpec
        var fallbackNotice: String?
        var greetingSeconds = 6.0
        /// How often the desk looks for changes made by other processes (and retries
        /// visits waiting for the database).
        var refreshSeconds = 0.5
    }

    /// Why the loop ended.
    enum Exit: Equatable {
        case quit
        case signal
        case terminalLost
    }

    private let desk: FrontDesk
    private let camera: LiveCamera
    private let logger: Logger
    private let options: Options
    private let mailbox = Mailbox<Message>()
    let work = WorkQueue()
    private let deskController: DeskController
    private let staffController: StaffController

    private var status: DeskStatus
    private var faceBox: (box: FaceBox, sequence: Int)?
    private let detecting = Shared(false)
    private let refreshing = Shared(false)

    init(desk: FrontDesk, status: DeskStatus, options: Options, logger: Logger) {
        self.desk = desk
        self.status = status
        self.options = options
        self.logger = logger
        self.camera = LiveCamera(spec: options.spec)
        let mailbox = self.mailbox
        let post: @Sendable (Message) -> Void = { mailbox.post($0) }
        var settings = DeskMachine.Settings()
        settings.greetingSeconds = options.greetingSeconds
        settings.pinIsSet = status.pinIsSet
        deskController = DeskController(desk: desk, camera: camera, work: work, settings: settings, post: post, logger: logger)
        staffController = StaffController(desk: desk, work: work, post: post, logger: logger)
    }

    /// The staff view closes by itself after this long without a key: staff who walk
    /// away must not leave the visitor list open to the lobby.
    static let staffIdleSeconds = 120.0

    /// At most this many keys are handled between two redraws.
    static let keysPerFrame = 2048

    /// Runs until the user quits, a termination signal arrives or the terminal is gone.
    /// The camera is released on the way out; pending work is the caller's to drain.
    func run(terminal: CursesTerminal) -> Exit {
        let renderer = Renderer(terminal: terminal)
        camera.start()
        defer { camera.stop() }
        if let notice = options.fallbackNotice { deskController.notify(notice, tone: .warning, seconds: 8) }
        logger.info("kiosk started on \(options.spec)")
        var lastSize = terminal.size
        var lastRefresh = 0.0
        var lastKey = monotonicSeconds()
        var rate = PreviewRate()
        while true {
            if TerminalGuard.stopRequested != 0 { return .signal }
            if terminal.isLost { logger.warning("the terminal is gone; stopping"); return .terminalLost }
            let now = monotonicSeconds()
            if deskController.handle(.tick(now)) { return .quit }
            // Every key waiting is handled before the next redraw: a burst of thousands
            // (a paste, a key injector) is worked off in a few frames instead of one key
            // per frame, so the desk answers the next real key at once.
            var waitMilliseconds = 30
            for _ in 0..<Self.keysPerFrame {
                guard let key = terminal.readKey(timeoutMilliseconds: waitMilliseconds) else { break }
                waitMilliseconds = 0
                lastKey = monotonicSeconds()
                if key == .resize || terminal.size != lastSize {
                    lastSize = terminal.size
                    renderer.invalidate()
                }
                if handle(key) { return .quit }
            }
            if deskController.isInStaffView && now - lastKey > Self.staffIdleSeconds {
                deskController.audit("staff view closed", detail: "no key for \(Int(Self.staffIdleSeconds)) s")
                if deskController.handle(.staffClosed) { return .quit }
            }
            for message in mailbox.takeAll() {
                if receive(message) { return .quit }
            }
            if now - lastRefresh >= options.refreshSeconds {
                lastRefresh = now
                refresh()
            }
            trackFace()
            var buffer = CellBuffer(width: terminal.size.width, height: terminal.size.height)
            draw(into: &buffer, colorMode: terminal.colorMode)
            renderer.render(buffer)
            rate.count(frame: camera.latest?.sequence, logger: logger, renderer: renderer)
        }
    }

    /// After a bounded `work.drain`: visits still being written go to the pending queue
    /// (written once at the next start, even if the write in progress lands too).
    /// Returns how many were kept that way.
    func keepUnwrittenVisits() -> Int {
        let unwritten = deskController.visitsInFlight.get().values
        var kept = 0
        for visit in unwritten {
            do {
                try desk.pending?.append(visit)
                kept += 1
            } catch {
                logger.error("visit of person \(visit.personId) lost at exit: \(error)")
            }
        }
        return kept
    }

    // MARK: input

    /// Returns true when the desk should quit.
    private func handle(_ key: Key) -> Bool {
        if deskController.isInStaffView {
            if staffController.handle(key) {
                deskController.audit("staff view closed")
                return deskController.handle(.staffClosed)
            }
            return false
        }
        return deskController.handle(.key(key))
    }

    private func receive(_ message: Message) -> Bool {
        switch message {
        case .event(let event):
            return deskController.handle(event)
        case .faceBox(let box, let sequence):
            faceBox = box.map { ($0, sequence) }
        case .status(let fresh):
            let changed = fresh.people != status.people || fresh.templates != status.templates
            status = fresh
            if deskController.machine.settings.pinIsSet != fresh.pinIsSet { return deskController.handle(.pinIsSet(fresh.pinIsSet)) }
            if changed && deskController.isInStaffView { staffController.dataChanged() }
        case .staffOpened:
            staffController.open(settings: settingsRows())
        case .staffLoaded(let page):
            staffController.receive(page)
        case .staffMessage(let text):
            staffController.show(text)
            staffController.dataChanged()
        }
        return false
    }

    /// Asks the desk, in the background, for changes made by any process; visits
    /// waiting for the database are retried every few seconds.
    private func refresh() {
        guard refreshing.update({ busy -> Bool in if busy { return false }; busy = true; return true }) else { return }
        let desk = self.desk, mailbox = self.mailbox, refreshing = self.refreshing
        let retryPending = status.pendingVisits > 0 && Int(monotonicSeconds()) % 5 == 0
        Task {
            defer { refreshing.set(false) }
            if retryPending { await desk.deliverPending() }
            mailbox.post(.status(await desk.refresh()))
        }
    }

    private func settingsRows() -> [(String, String)] {
        let config = desk.config
        return [
            ("Camera", camera.status.sourceName + "  (kiosk run --source …)"),
            ("Match threshold", "\(config.threshold)  (recognition.threshold)"),
            ("Ambiguity margin", "\(config.margin)  (recognition.margin)"),
            ("Visit cooldown", "\(config.cooldownMinutes) minutes  (visits.cooldown_minutes)"),
            ("Retention", config.retentionDays == 0 ? "keep forever  (retention.days)" : "\(config.retentionDays) days  (retention.days; kiosk purge)"),
            ("Kiosk id", config.kioskId + "  (kiosk.id)"),
            ("Configuration file", config.source ?? "built-in defaults; copy Config/kiosk.toml to \(KioskConfig.userPath())"),
            ("Database", desk.store.location + "  (--db)"),
            ("Visits waiting", status.pendingVisits == 0 ? "none" : "\(status.pendingVisits), kept in \(desk.pending?.path ?? "?")"),
        ]
    }

    // MARK: face box

    /// Keeps a face box over the preview: a quick detection on the newest frame, a few
    /// times a second, only while the desk is live, so a capture never waits behind it
    /// for more than one detection.
    private func trackFace() {
        guard deskController.isLive, let frame = camera.latest, !frame.isDark else { return }
        if let current = faceBox, frame.sequence - current.sequence < 3 { return }
        guard detecting.update({ busy -> Bool in if busy { return false }; busy = true; return true }) else { return }
        let desk = self.desk, mailbox = self.mailbox, detecting = self.detecting
        Task {
            defer { detecting.set(false) }
            let boxes = try? await desk.engine.detect(in: frame.image, plan: desk.config.cameraDetectionPlan)
            mailbox.post(.faceBox(boxes.flatMap { FaceEngine.largestFirst($0).first }, sequence: frame.sequence))
        }
    }

    // MARK: drawing

    private func draw(into buffer: inout CellBuffer, colorMode: ColorMode) {
        if deskController.isInStaffView {
            StaffScreen.draw(staffController.view, data: staffController.data, into: &buffer)
            return
        }
        let frame = camera.latest
        let box = faceBox.flatMap { current in frame.map { $0.sequence - current.sequence < 30 } == true ? current.box : nil }
        var view = FrontDeskView(machine: deskController.machine, frame: frame, faceBox: box, camera: camera.status,
                                 enrolledCount: status.people, consentText: desk.config.consentText, colorMode: colorMode)
        view.pinIsSet = deskController.machine.settings.pinIsSet
        view.pendingVisits = status.pendingVisits
        view.databaseProblem = status.problem
        FrontDeskScreen.draw(view, into: &buffer)
    }
}

/// Camera frames that reached the screen and redraws per second, logged every 10 s.
private struct PreviewRate {
    var redraws = 0, previewFrames = 0, lastSequence = -1
    var windowStart = monotonicSeconds()

    mutating func count(frame sequence: Int?, logger: Logger, renderer: Renderer) {
        redraws += 1
        if let sequence, sequence != lastSequence {
            previewFrames += 1
            lastSequence = sequence
        }
        let seconds = monotonicSeconds() - windowStart
        guard seconds >= 10 else { return }
        logger.info("screen: \(String(format: "%.1f", Double(previewFrames) / seconds)) preview fps, \(String(format: "%.1f", Double(redraws) / seconds)) redraws/s, \(renderer.cellsWrittenLastFrame) cells last frame")
        redraws = 0
        previewFrames = 0
        windowStart = monotonicSeconds()
    }
}
