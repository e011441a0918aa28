/// Base addresses of buffers that must not be empty (the kernels take raw pointers).
enum Pointers {
  static func base<T>(_ buffer: UnsafeBufferPointer<T>) -> UnsafePointer<T> {
    guard let base = buffer.baseAddress, buffer.count > 0 else {
      preconditionFailure("NeuralCore: empty buffer where data was required")
    }
    return base
  }

  static func base<T>(_ buffer: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<T> {
    guard let base = buffer.baseAddress, buffer.count > 0 else {
      preconditionFailure("NeuralCore: empty buffer where data was required")
    }
    return base
  }
}
