import CJSONC

extension JSONValue {
  /// The value as compact JSON text on one line, written by json-c.
  ///
  /// - Never contains a raw line break: json-c escapes `\n`, `\r` and every other control
  ///   character inside strings, and `JSON_C_TO_STRING_PLAIN` adds no whitespace.
  /// - `/` is written as is (`JSON_C_TO_STRING_NOSLASHESCAPE`), so paths stay readable.
  /// - Object members come out in insertion order (see ``JSONObject``).
  /// - Doubles are written in Swift's shortest round-trip form (`0.1`, `1e-05`, `100.0`) through
  ///   `json_object_new_double_s`; a non-finite double (NaN, ±infinity) has no JSON form and is
  ///   written as `null`.
  /// - A member name containing U+0000 is cut at that character (json-c takes C strings);
  ///   parsed objects never have such names, as the parser rejects them.
  public func serialized() -> String {
    guard let root = Self.makeNode(self) else { return "null" }
    defer { json_object_put(root) }
    var length = 0
    guard let text = json_object_to_json_string_length(root, cjsonc_plain_flags, &length) else {
      fatalError("json-c could not serialise a value (out of memory)")
    }
    return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
  }

  /// A new json-c node owning the whole subtree (nil stands for JSON null, as in json-c).
  private static func makeNode(_ value: JSONValue) -> OpaquePointer? {
    switch value {
    case .null:
      return nil
    case .bool(let flag):
      return allocated(json_object_new_boolean(flag ? 1 : 0))
    case .int(let integer):
      return allocated(json_object_new_int64(integer))
    case .double(let number):
      guard number.isFinite else { return nil }
      return allocated("\(number)".withCString { json_object_new_double_s(number, $0) })
    case .string(let text):
      return makeStringNode(text)
    case .array(let elements):
      let array = allocated(json_object_new_array_ext(Int32(clamping: elements.count)))
      for element in elements { json_object_array_add(array, makeNode(element)) }
      return array
    case .object(let members):
      let object = allocated(json_object_new_object())
      for (name, member) in members { cjsonc_object_add_new_key(object, name, makeNode(member)) }
      return object
    }
  }

  /// A json-c string with explicit length, so U+0000 inside the text survives.
  private static func makeStringNode(_ text: String) -> OpaquePointer {
    var text = text
    return text.withUTF8 { utf8 in
      precondition(utf8.count < Int(Int32.max), "JSONValue.serialized: a string of 2 GiB or more")
      guard let base = utf8.baseAddress, !utf8.isEmpty else { return allocated(json_object_new_string("")) }
      let characters = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
      return allocated(json_object_new_string_len(characters, Int32(utf8.count)))
    }
  }

  /// json-c returns NULL only when memory runs out, where Swift itself would stop.
  private static func allocated(_ node: OpaquePointer?) -> OpaquePointer {
    guard let node else { fatalError("json-c could not allocate a value (out of memory)") }
    return node
  }
}
