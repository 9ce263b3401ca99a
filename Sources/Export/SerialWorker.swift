import Foundation

/// One thread that runs queued jobs in order: a database copy's single writer, so that the
/// pass that reads and renders rows does not wait for the database (SQLite, PostgreSQL).
/// The queue is bounded by the bytes its jobs hold (`enqueue` waits while it is full). After
/// a failed job the rest are dropped and every later call throws that failure.
final class SerialWorker: @unchecked Sendable {
  typealias Job = () throws -> Void
  struct Entry { var cost: Int; var job: Job }

  let limit: Int
  let condition = NSCondition()
  var jobs: [Entry] = []
  var head = 0
  var queuedBytes = 0
  var busy = false
  var failure: Error?
  var closing = false
  let stopped = DispatchSemaphore(value: 0)
  /// Runs on the thread after the last job (closing a connection).
  let atExit: () -> Void

  init(name: String, limit: Int, atExit: @escaping () -> Void = {}) {
    self.limit = limit
    self.atExit = atExit
    let thread = Thread { [self] in main() }
    thread.name = name
    thread.start()
  }

  func main() {
    while true {
      condition.lock()
      while head == jobs.count && !closing { condition.wait() }
      if head == jobs.count {
        condition.unlock()
        break
      }
      let entry = jobs[head]
      jobs[head].job = {}   // let the job's bytes go
      head += 1
      if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
      busy = true
      let skip = failure != nil
      condition.unlock()
      var error: Error?
      if !skip {
        do { try entry.job() } catch let e { error = e }
      }
      condition.lock()
      queuedBytes -= entry.cost
      busy = false
      if failure == nil { failure = error }
      condition.broadcast()
      condition.unlock()
    }
    atExit()
    stopped.signal()
  }

  /// Queues `job` (holding about `cost` bytes); waits while the queue is full.
  func enqueue(cost: Int, _ job: @escaping Job) throws {
    condition.lock(); defer { condition.unlock() }
    while failure == nil && head < jobs.count && queuedBytes + cost > limit { condition.wait() }
    if let failure { throw failure }
    precondition(!closing, "database copy used after close")
    jobs.append(Entry(cost: cost, job: job))
    queuedBytes += cost
    condition.broadcast()
  }

  final class Box<T>: @unchecked Sendable { var value: T? }

  /// Runs `body` on the thread after every queued job and returns its result.
  func run<T>(_ body: @escaping () throws -> T) throws -> T {
    let box = Box<T>()
    try enqueue(cost: 0) { box.value = try body() }
    condition.lock(); defer { condition.unlock() }
    while head < jobs.count || busy { condition.wait() }
    if let failure { throw failure }
    return box.value!
  }

  /// Ends the thread once the queue is done (once; later calls return at once).
  func close() {
    condition.lock()
    let first = !closing
    closing = true
    condition.broadcast()
    condition.unlock()
    if first { stopped.wait() }
  }
}
