/// The survey's recovery-time model, from measured rates (pure: tests feed it figures).
///
/// `recover` runs in two phases: planning, which opens the stores and reads their metadata;
/// and the read, where each job checks the blocks of a run of chunks and reads them in key
/// order, writing their rows into the table files, whose writing back to disk is started as
/// they grow and waited for at the end (one fsync per table). The disk writes overlap the
/// read, so the output adds only what the disk needs beyond it:
///
///     plan + check(jobs) + read(jobs) + max(0, CSV bytes / disk write rate − check − read)
///
/// check and read(jobs) = single-core CPU seconds / (jobs × share of a core each job gets × efficiency),
/// never less than the costliest single run of chunks. The share accounts for a machine
/// other work is using: the sample measured what share of its core it got (CPU time over
/// wall time); with `machineCores` cores that means `cores / share − 1` other busy threads,
/// which the run's jobs then share the cores with. A sharded run on N machines of C cores
/// (assumed idle) plans twice (each shard plans, then `finish`) and reads with N × C cores.
struct SurveyCost {
  var planSeconds: Double
  /// Single-core seconds to check the checksums of the blocks to read (bytes to read / the
  /// sampled checksum rate).
  var checkCPUSeconds: Double
  /// Single-core CPU seconds to read every chunk and render its rows (the sample's rates).
  var readCPUSeconds: Double
  /// Single-core CPU seconds of the costliest work unit `recover --jobs N` would form.
  var largestUnit: (Int) -> Double
  /// CSV bytes, and the write rates into the page cache (CPU) and onto the disk.
  var csvBytes: Int64 = 0
  var bufferedWriteRate: Double = 0
  var diskWriteRate: Double = 0
  var efficiency: Double
  /// Cores of this machine, and the share of one the sample's thread got (1: idle machine).
  var machineCores: Int = 1
  var coreShare: Double = 1

  /// Busy threads of other work, as the sample's core share implies.
  var otherThreads: Double {
    coreShare >= 0.95 || coreShare <= 0 ? 0 : max(0, Double(machineCores) / coreShare - 1)
  }

  /// Share of a core each of `threads` threads gets on this machine.
  func share(_ threads: Int) -> Double { min(1, Double(machineCores) / (otherThreads + Double(threads))) }

  func estimate(machines: Int, cores: Int) -> SurveyReport.Estimate {
    let jobs = max(1, cores)
    let here = machines == 1
    let buffered = bufferedWriteRate > 0 ? Double(csvBytes) / bufferedWriteRate : 0
    let disk = diskWriteRate > 0 ? Double(csvBytes) / diskWriteRate : 0
    let perJob = here ? share(jobs) : 1
    let cpus = Double(machines * jobs) * perJob * (machines * jobs == 1 ? 1 : efficiency)
    let check = checkCPUSeconds / cpus
    let read = max((readCPUSeconds + buffered) / cpus, here ? largestUnit(jobs) / perJob : 0)
    let plans = here ? 1.0 : 2.0
    let plan = here ? planSeconds : planSeconds * share(1)   // an idle machine plans at full speed
    // Shards write their parts on their own disks while reading; `finish` copies them into
    // the tables on one machine.
    let write = max(0, disk / Double(machines) - check - read) + (here ? 0 : disk)
    let total = plans * plan + check + read + write
    return .init(machines: machines, coresPerMachine: jobs, jobs: jobs, seconds: r(total), planSeconds: r(plans * plan),
                 checkSeconds: r(check), readSeconds: r(read), writeSeconds: r(write))
  }

  func r(_ x: Double) -> Double { (x * 10).rounded() / 10 }

  static func method(efficiency: Double) -> String {
    "plan (this survey's planning, measured) + block check (bytes to read / sampled checksum rate, on the read's cores) "
      + "+ read (sampled single-core CPU seconds per byte of each table × its bytes, / (jobs × \(efficiency) × the share of a core "
      + "each job gets while other work runs, from the sample's CPU/wall time); at least the costliest run of chunks) "
      + "+ output (the CSV is written once and goes to disk during the read: what CSV bytes / timed disk write rate "
      + "needs beyond the read). "
      + "N machines (idle): each shard plans, then finish does; the check and read use N × C × \(efficiency) cores; "
      + "parts are written on N disks during the read, then copied into the tables on one."
  }
}
