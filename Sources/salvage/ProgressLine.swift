import Export
import Foundation
import Recovery

/// A recovery's progress on stderr (`ProgressText`): on a terminal, a bar rewritten in place
/// twice a second; otherwise (logs, CI) a plain line every 10 seconds; nothing with --quiet.
/// Messages (`note`) print above the bar. SALVAGE_PROGRESS_SECONDS sets the interval (tests).
final class ProgressLine: @unchecked Sendable {
  let run: RecoveryRun
  let quiet: Bool
  let tty = isatty(2) == 1
  let started = Date()
  var readingSince: Date?
  var readingUntil: Date?
  var timer: DispatchSourceTimer?
  let lock = NSLock()
  var drawn = false

  init(run: RecoveryRun, quiet: Bool = false) {
    self.run = run
    self.quiet = quiet
  }

  func start() {
    guard !quiet else { return }
    let seconds = ProcessInfo.processInfo.environment["SALVAGE_PROGRESS_SECONDS"].flatMap(Double.init) ?? (tty ? 0.5 : 10)
    let every = DispatchTimeInterval.milliseconds(max(1, Int(seconds * 1000)))
    let t = DispatchSource.makeTimerSource(queue: .global())
    t.schedule(deadline: .now() + every, repeating: every)
    t.setEventHandler { [weak self] in self?.draw() }
    t.resume()
    timer = t
  }

  /// Stops the timer and waits until no draw is in flight (`cancel` alone does not), so
  /// nothing is drawn after the summary or while the process exits.
  func stop() {
    if let t = timer {
      let cancelled = DispatchSemaphore(value: 0)
      t.setCancelHandler { cancelled.signal() }
      t.cancel()
      cancelled.wait()
      timer = nil
    }
    lock.lock(); defer { lock.unlock() }
    if tty && drawn { printError("") }
  }

  /// A message line (keeps the bar below it on a terminal).
  func note(_ message: String) {
    guard !quiet else { return }
    lock.lock(); defer { lock.unlock() }
    printError((tty && drawn ? "\r\u{1B}[K" : "") + "salvage: " + message)
    drawn = false
  }

  func draw() {
    let c = run.counters()
    let now = Date()
    lock.lock(); defer { lock.unlock() }
    // Reading begins once the stores' bytes are known; the rate counts from then.
    if readingSince == nil && c.stores > 0 { readingSince = now }
    // …and stops with the last store (the output is written after): the rate stays.
    if readingUntil == nil && c.stores > 0 && c.storesDone == c.stores { readingUntil = now }
    let text = ProgressText(c, elapsed: now.timeIntervalSince(started),
                            reading: readingSince.map { (readingUntil ?? now).timeIntervalSince($0) })
    if tty {
      var bytes = Array(("\r\u{1B}[K" + text.bar(columns: Self.columns())).utf8)
      _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
      drawn = true
    } else {
      printError(text.plainLine)
    }
  }

  /// The terminal's width (80 when it does not say).
  static func columns() -> Int {
    var w = winsize()
    return ioctl(2, UInt(TIOCGWINSZ), &w) == 0 && w.ws_col > 0 ? Int(w.ws_col) : 80
  }
}
