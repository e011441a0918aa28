import RealModule

/// Elementary functions for the core. On Linux the standard library has no `exp`/`log`
/// without Foundation or Glibc; swift-numerics' `RealModule` supplies them in pure Swift
/// API. Everything in the product that needs them calls through here.
public enum Elementary {
  @inlinable public static func exp(_ x: Float) -> Float { Float.exp(x) }
  @inlinable public static func exp(_ x: Double) -> Double { Double.exp(x) }
  @inlinable public static func log(_ x: Float) -> Float { Float.log(x) }
  @inlinable public static func log(_ x: Double) -> Double { Double.log(x) }
  @inlinable public static func cos(_ x: Double) -> Double { Double.cos(x) }
  @inlinable public static func sin(_ x: Double) -> Double { Double.sin(x) }
  @inlinable public static func cos(_ x: Float) -> Float { Float.cos(x) }
  @inlinable public static func sin(_ x: Float) -> Float { Float.sin(x) }
  @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Float.pow(x, y) }
  @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Double.pow(x, y) }
}
