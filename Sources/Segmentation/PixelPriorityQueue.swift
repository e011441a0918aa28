/// A binary max-heap of pixels keyed by a float priority, first-in first-out among equal
/// priorities so that flooding is deterministic. O(log n) push and pop.
struct PixelPriorityQueue {
  private struct Entry {
    var priority: Float
    var sequence: Int
    var pixel: Int

    /// True if `self` leaves the queue before `other`.
    func precedes(_ other: Entry) -> Bool {
      priority > other.priority || (priority == other.priority && sequence < other.sequence)
    }
  }

  private var heap: [Entry] = []
  private var pushed = 0

  var isEmpty: Bool { heap.isEmpty }

  mutating func push(_ pixel: Int, priority: Float) {
    heap.append(Entry(priority: priority, sequence: pushed, pixel: pixel))
    pushed += 1
    var child = heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      if !heap[child].precedes(heap[parent]) { break }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  /// The pixel with the highest priority (the earliest pushed among equals), or nil if empty.
  mutating func pop() -> Int? {
    guard let last = heap.popLast() else { return nil }
    if heap.isEmpty { return last.pixel }
    let top = heap[0]
    heap[0] = last
    var parent = 0
    while true {
      let left = 2 * parent + 1
      if left >= heap.count { break }
      let right = left + 1
      let child = right < heap.count && heap[right].precedes(heap[left]) ? right : left
      if !heap[child].precedes(heap[parent]) { break }
      heap.swapAt(child, parent)
      parent = child
    }
    return top.pixel
  }
}
