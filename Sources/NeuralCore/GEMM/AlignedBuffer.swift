/// Float storage aligned to a cache line, owned by a class so that a workspace can hand out
/// raw pointers to it for the lifetime of the workspace.
///
/// The hot kernels work on raw pointers: no copy-on-write checks, no exclusivity checks, no
/// bounds checks inside the inner loops. Buffers grow on demand and are never shrunk, so a
/// workspace that sees the same tile size again faults in no new pages (page faults are slow
/// on the target VMs).
final class AlignedBuffer {
  private(set) var pointer: UnsafeMutablePointer<Float>
  private(set) var capacity: Int

  static let alignment = 64

  init(capacity: Int = 0) {
    self.capacity = Swift.max(capacity, 16)
    pointer = AlignedBuffer.allocate(self.capacity)
  }

  deinit {
    pointer.deallocate()
  }

  /// Makes room for `count` floats (contents are not preserved when growing) and returns the
  /// base pointer.
  @discardableResult
  func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count > capacity {
      pointer.deallocate()
      capacity = count
      pointer = AlignedBuffer.allocate(count)
    }
    return pointer
  }

  private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<Float>.stride, alignment: alignment)
    // Touch every page once here, so the first kernel that uses it does not pay the faults
    // in its timed inner loop, and the memory holds defined values.
    return raw.initializeMemory(as: Float.self, repeating: 0, count: count)
  }
}

extension AlignedBuffer {
  /// A buffer holding a copy of `values` (the tensor-level layer wrappers stage their arrays
  /// this way so the kernels see plain pointers).
  convenience init(copying values: [Float]) {
    self.init(capacity: values.count)
    values.withUnsafeBufferPointer { source in
      if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
    }
  }

  /// The first `count` floats as an array.
  func array(count: Int) -> [Float] {
    Array(UnsafeBufferPointer(start: pointer, count: count))
  }

  /// The first `shape.count` floats as a tensor.
  func tensor(_ shape: Shape) -> Tensor {
    Tensor(shape: shape, storage: array(count: shape.count))
  }
}

/// Bridges tensors to the raw-memory kernels: the tensor-level layer wrappers copy their
/// inputs into aligned buffers, run the kernel and copy the results out. (Only the wrappers
/// pay these copies; the U-Net runs the kernels on its workspace directly.)
struct StagedTensor {
  let buffer: AlignedBuffer
  let shape: Shape

  init(_ tensor: Tensor) {
    buffer = AlignedBuffer(copying: tensor.storage)
    shape = tensor.shape
  }

  var view: FeatureMapView {
    FeatureMapView(
      base: buffer.pointer, channels: shape.channels, height: shape.height, width: shape.width)
  }
}
