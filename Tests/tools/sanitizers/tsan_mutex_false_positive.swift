// Why the worker uses `Locked` (a pthread mutex) and not `Synchronization.Mutex`: ThreadSanitizer
// on Linux does not see the synchronisation of Swift's Mutex (its atomics live in the
// uninstrumented standard library), so it reports races between accesses all inside `withLock`.
// This program is such a case (every access in `withLock`); built and run with
//   swiftc -sanitize=thread -O tsan_mutex_false_positive.swift -o /tmp/m -use-ld=lld && /tmp/m
// it prints 4-6 "data race" warnings (Swift 6.3.1). With Mutex, every TSan report on the
// worker's tests was of this kind; with `Locked` there are none.
import Synchronization
import Dispatch
final class Box: Sendable { let m = Mutex<[String]>([]) }
let box = Box()
let g = DispatchGroup()
DispatchQueue.global().async(group: g) {
  for i in 0..<20000 { box.m.withLock { $0.append("line \(i)") } }
}
DispatchQueue.global().async(group: g) {
  var total = 0
  for _ in 0..<2000 { total &+= box.m.withLock { $0.map { $0 }.count } }
  print(total > 0)
}
g.wait()
