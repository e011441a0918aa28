import CJSONC

extension JSONValue {
  /// Parses one JSON text (RFC 8259) from UTF-8 bytes with json-c's tokener.
  ///
  /// Strict: ``StrictJSONScanner`` first rejects what json-c's strict mode would let through
  /// (single quotes, `NaN`, `Infinity`, comments, `-01`, `1.`, raw control characters, lone
  /// surrogate escapes), invalid UTF-8, trailing characters and nesting deeper than `maxDepth`.
  /// Then json-c builds the tree, which becomes a `JSONValue`; the json-c root is released once.
  ///
  /// - Numbers: an integer literal that fits `Int64` becomes ``int(_:)``; any other number,
  ///   including integers beyond `Int64`, becomes ``double(_:)``. A number beyond the range of
  ///   `Double` (`1e400`) is rejected (``JSONParseError/Kind/numberOutOfRange``); one too small
  ///   becomes 0.
  /// - Repeated member names: the last value wins, at the position of the first occurrence
  ///   (json-c's behaviour, documented and tested here).
  /// - Whitespace around the value (space, tab, CR, LF) is allowed; nothing else may follow it.
  /// - Parameters:
  ///   - bytes: the whole text, without a terminating NUL (the parser supplies one to json-c so
  ///     that a bare number like `12` completes).
  ///   - maxDepth: the deepest nesting of arrays and objects accepted (`[[1]]` is 2, `1` is 0);
  ///     at most 1000, as conversion recurses once per level.
  /// - Throws: ``JSONParseError`` saying what is wrong and where.
  public static func parse(
    _ bytes: some Collection<UInt8>, maxDepth: Int = 64
  ) throws(JSONParseError) -> JSONValue {
    precondition((0...1_000).contains(maxDepth), "JSONValue.parse: maxDepth \(maxDepth) is not in 0...1000")
    let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
      Result { () throws(JSONParseError) in try parseValidated(buffer, maxDepth: maxDepth) }
    }
    if let contiguous { return try contiguous.get() }
    return try Array(bytes).withUnsafeBufferPointer { buffer in
      Result { () throws(JSONParseError) in try parseValidated(buffer, maxDepth: maxDepth) }
    }.get()
  }

  /// Parses the UTF-8 of `text`; see the byte-collection overload.
  public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
    try parse(text.utf8, maxDepth: maxDepth)
  }

  /// Validates, widens integers beyond `Int64` to float literals (json-c would clamp them), then
  /// lets json-c parse.
  private static func parseValidated(
    _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int
  ) throws(JSONParseError) -> JSONValue {
    let wideIntegerEnds = try StrictJSONScanner.validate(buffer, maxDepth: maxDepth)
    if wideIntegerEnds.isEmpty { return try tokenize(buffer, maxDepth: maxDepth) }
    var widened: [UInt8] = []
    widened.reserveCapacity(buffer.count + 2 * wideIntegerEnds.count)
    var copied = 0
    for end in wideIntegerEnds {
      widened.append(contentsOf: buffer[copied..<end])
      widened.append(contentsOf: ".0".utf8)
      copied = end
    }
    widened.append(contentsOf: buffer[copied...])
    return try widened.withUnsafeBufferPointer { widenedBuffer in
      Result { () throws(JSONParseError) in try tokenize(widenedBuffer, maxDepth: maxDepth) }
    }.get()
  }

  /// Runs json-c's tokener over validated text and converts its tree.
  private static func tokenize(
    _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int
  ) throws(JSONParseError) -> JSONValue {
    guard let base = buffer.baseAddress, buffer.count < Int(Int32.max) else {
      throw JSONParseError(kind: .syntax, offset: nil, reason: "the text is empty or longer than 2 GiB")
    }
    // json-c counts the top-level value as one level: depth 1 accepts scalars only.
    guard let tokener = json_tokener_new_ex(Int32(maxDepth + 1)) else {
      fatalError("json-c could not allocate a tokener (out of memory)")
    }
    defer { json_tokener_free(tokener) }
    json_tokener_set_flags(tokener, cjsonc_tokener_strict)
    let text = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
    var root = json_tokener_parse_ex(tokener, text, Int32(buffer.count))
    var status = json_tokener_get_error(tokener)
    if status == json_tokener_continue {
      // The terminating NUL completes a bare top-level number such as `12`.
      var terminator: CChar = 0
      root = json_tokener_parse_ex(tokener, &terminator, 1)
      status = json_tokener_get_error(tokener)
    }
    defer { if let root { json_object_put(root) } }
    guard status == json_tokener_success else {
      // Not reached for text the scanner accepted; kept so a json-c surprise is an error, not a trap.
      let description = String(cString: json_tokener_error_desc(status))
      let kind: JSONParseError.Kind = status == json_tokener_error_depth ? .tooDeep : .syntax
      throw JSONParseError(kind: kind, offset: nil, reason: "json-c: \(description)")
    }
    return try convert(root)
  }

  /// The `JSONValue` for a json-c node (json-c represents `null` as a NULL pointer).
  private static func convert(_ node: OpaquePointer?) throws(JSONParseError) -> JSONValue {
    guard let node else { return .null }
    let type = json_object_get_type(node)
    switch type {
    case json_type_boolean:
      return .bool(json_object_get_boolean(node) != 0)
    case json_type_int:
      let value = json_object_get_int64(node)
      // json-c holds integers above Int64.max as UInt64; the scanner widens those to floats, so
      // this only guards against a json-c change.
      if value == Int64.max, json_object_get_uint64(node) > UInt64(Int64.max) {
        return .double(Double(json_object_get_uint64(node)))
      }
      return .int(value)
    case json_type_double:
      let value = json_object_get_double(node)
      guard value.isFinite else {
        throw JSONParseError(
          kind: .numberOutOfRange, offset: nil, reason: "a number is too large for a 64-bit float")
      }
      return .double(value)
    case json_type_string:
      let count = Int(json_object_get_string_len(node))
      guard let characters = json_object_get_string(node) else { return .string("") }
      let utf8 = UnsafeRawBufferPointer(start: characters, count: count)
      return .string(String(decoding: utf8, as: UTF8.self))
    case json_type_array:
      let count = json_object_array_length(node)
      var elements: [JSONValue] = []
      elements.reserveCapacity(count)
      for position in 0..<count {
        elements.append(try convert(json_object_array_get_idx(node, position)))
      }
      return .array(elements)
    case json_type_object:
      var members = JSONObject()
      var iterator = json_object_iter_begin(node)
      var end = json_object_iter_end(node)
      while json_object_iter_equal(&iterator, &end) == 0 {
        if let name = json_object_iter_peek_name(&iterator) {
          members[String(cString: name)] = try convert(json_object_iter_peek_value(&iterator))
        }
        json_object_iter_next(&iterator)
      }
      return .object(members)
    default:
      return .null
    }
  }
}
