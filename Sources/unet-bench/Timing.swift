import Glibc

/// Process CPU time, minor page faults and peak resident memory (getrusage).
struct Usage {
  var cpuSeconds: Double
  var minorFaults: Int
  var maxRSSKiB: Int

  static func now() -> Usage {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu =
      Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
      + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return Usage(cpuSeconds: cpu, minorFaults: usage.ru_minflt, maxRSSKiB: usage.ru_maxrss)
  }
}

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Runs `body` `warmup` times untimed and `reps` times timed, and summarises like the peer
/// script: median/min/max seconds, all times, GFLOP/s at the median and the minimum, CPU
/// utilisation (process CPU seconds per wall second) and minor page faults per repetition.
func timed(reps: Int, warmup: Int, gflop: Double, _ body: () -> Void) -> JSON {
  for _ in 0..<warmup { body() }
  let clock = ContinuousClock()
  var times: [Double] = []
  let before = Usage.now()
  let start = clock.now
  for _ in 0..<reps {
    let t0 = clock.now
    body()
    times.append(seconds(clock.now - t0))
  }
  let wall = seconds(clock.now - start)
  let after = Usage.now()
  let sorted = times.sorted()
  let middle = sorted.count / 2
  let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  let minimum = sorted[0]
  var fields: [(String, JSON)] = [
    ("median_s", .number(median)), ("min_s", .number(minimum)), ("max_s", .number(sorted[sorted.count - 1])),
    ("reps", .int(reps)), ("all_s", .array(times.map { .number($0) })),
  ]
  if gflop > 0 {
    fields += [("gflops_at_median", .number(gflop / median)), ("gflops_at_min", .number(gflop / minimum))]
  }
  fields += [
    ("cpu_util", .number((after.cpuSeconds - before.cpuSeconds) / wall)),
    ("minor_faults_per_rep", .int((after.minorFaults - before.minorFaults) / reps)),
  ]
  return .object(fields)
}
