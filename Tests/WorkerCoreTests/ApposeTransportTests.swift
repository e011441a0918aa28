import Foundation
import JSONRPC
import Testing
import WorkerCore

/// `unet-worker --appose`: the Appose worker protocol translated to and from the worker's
/// JSON-RPC by `ApposeTransport` (Protocol/README.md, "Appose mode").
@Suite("Appose mode")
struct ApposeTransportTests {
  /// The smallest network that trains: a few iterations take well under a second.
  static let tinyConfig: JSONValue = ["base_channels": 4, "depth": 2, "tile_size": 20, "seed": 5]

  static func cancelLine(_ task: String) -> String {
    JSONValue.object(["task": .string(task), "requestType": "CANCEL"]).serialized()
  }

  /// The lines of a chunk the transport handed to the worker, parsed.
  static func requests(_ chunk: [UInt8]?) throws -> [JSONValue] {
    let text = String(decoding: try #require(chunk), as: UTF8.self)
    #expect(text.hasSuffix("\n"))
    return try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
  }

  @Test("HELLO first; EXECUTE and CANCEL become JSON-RPC; results, errors and progress become Appose responses")
  func translationBothWays() throws {
    let pipe = InMemoryTransport()
    let logged = Locked<[String]>([])
    let transport = ApposeTransport(underlying: pipe) { message in logged.withLock { $0.append(message) } }

    let hello = try JSONValue.parse(try #require(pipe.lines.first))
    #expect(hello["responseType"] == "HELLO" && hello["implementation"] == "unet-worker")
    #expect(hello["version"] == "0.12.0" && hello["worker_version"] == .string(WorkerInfo.version))
    #expect(hello["task"] == nil, "a HELLO with a task would be taken for a task's response")
    #expect(hello["methods"]?.arrayValue?.contains("train") == true)

    // EXECUTE -> the request with id = task, method = script, params = inputs; LAUNCH at once.
    pipe.feed(ApposeSession.execute("t-1", "train", ["iterations": 3]) + "\n" + Self.cancelLine("t-1") + "\n")
    let forwarded = try Self.requests(transport.readChunk())
    #expect(forwarded.count == 2)
    #expect(forwarded.first == ["jsonrpc": "2.0", "id": "t-1", "method": "train", "params": ["iterations": 3]])
    #expect(forwarded.last?["method"] == "cancel" && forwarded.last?["params"] == ["request": "t-1"])
    let cancelID = try #require(forwarded.last?["id"].flatMap(RequestID.init(json:)))
    if case .string = cancelID { Issue.record("an internal cancel id must not look like a task UUID") }
    #expect(pipe.lines.dropFirst().map { try? JSONValue.parse($0) } == [["task": "t-1", "responseType": "LAUNCH"]])

    // The worker's lines: the cancel's own answer is swallowed, the rest becomes UPDATE, UPDATE, COMPLETION.
    let progress: JSONValue = ["request": "t-1", "stage": "train", "done": 2, "total": 3, "loss": 0.5]
    let log: JSONValue = ["request": "t-1", "level": "warning", "message": "tile reduced"]
    transport.write(line: OutgoingMessage.response(id: cancelID, result: ["cancelled": false]))
    transport.write(line: OutgoingMessage.notification(method: "progress", params: progress))
    transport.write(line: OutgoingMessage.notification(method: "log", params: log))
    transport.write(line: OutgoingMessage.response(id: "t-1", result: ["model": "m.unet"]))
    let answers = pipe.lines.dropFirst(2).map { try? JSONValue.parse($0) }
    #expect(
      answers == [
        [
          "task": "t-1", "responseType": "UPDATE", "message": "train 2 of 3", "current": 2, "maximum": 3,
          "info": progress,
        ],
        ["task": "t-1", "responseType": "UPDATE", "message": "warning: tile reduced", "info": log],
        ["task": "t-1", "responseType": "COMPLETION", "outputs": ["model": "m.unet"]],
      ])

    // A second answer for a finished task has no place in Appose: logged, not written.
    let written = pipe.lines.count
    transport.write(line: OutgoingMessage.response(id: "t-1", result: [:]))
    #expect(pipe.lines.count == written)

    // Errors: -32800 is a CANCELATION, any other a FAILURE with our message, code and data.
    pipe.feed(
      ApposeSession.execute("t-2", "status") + "\n" + ApposeSession.execute("t-3", "train", [:]) + "\n"
        + ApposeSession.execute("t-4", "segment", [:]) + "\n")
    #expect(try Self.requests(transport.readChunk()).map { $0["id"] } == ["t-2", "t-3", "t-4"])
    let invalid = RPCError.invalidParams(field: "model", "model is missing")
    transport.write(line: OutgoingMessage.response(id: "t-2", result: 7))
    transport.write(line: OutgoingMessage.error(id: "t-3", error: .cancelled))
    transport.write(line: OutgoingMessage.error(id: "t-4", error: invalid))
    let ends = pipe.lines.suffix(3).map { try? JSONValue.parse($0) }
    #expect(ends.first == ["task": "t-2", "responseType": "COMPLETION", "outputs": ["result": 7]])
    #expect(ends.dropFirst().first == ["task": "t-3", "responseType": "CANCELATION"])
    let failure = try #require(ends.last ?? nil)
    #expect(failure["responseType"] == "FAILURE" && failure["info"] == invalid.json)
    let text = try #require(failure["error"]?.stringValue)
    #expect(text.contains("model is missing") && text.contains("-32602"), "\(text)")
    #expect(text.contains(#"{"field":"model"}"#), "\(text)")

    // A repeated UUID of an unfinished task is ignored; end of input is passed on.
    pipe.feed(ApposeSession.execute("t-5", "status") + "\n" + ApposeSession.execute("t-5", "status") + "\n")
    #expect(try Self.requests(transport.readChunk()).count == 1)
    pipe.closeInput()
    #expect(transport.readChunk() == nil)
    #expect(logged.withLock { $0.count } == 2, "\(logged.withLock { $0 })")
  }

  @Test("Quick methods, a generate with UPDATE events, bad inputs and unknown scripts against the real worker")
  func methodsThroughTheWorker() async throws {
    let folder = TestFolder("appose-methods")
    let session = ApposeSession()

    let initialize = try await session.run("init", "initialize")
    #expect(session.types(of: "init") == ["LAUNCH", "COMPLETION"])
    #expect(initialize["outputs"]?["name"] == "unet-worker")

    let generated = try await session.run(
      "gen", "generate", ["kind": "nuclei", "output_dir": .string(folder.path), "width": 48, "height": 48])
    let image = try #require(generated["outputs"]?["images"]?[0]?.stringValue, "\(generated)")
    #expect(FileManager.default.fileExists(atPath: image))
    let updates = session.responses(of: "gen").filter { $0["responseType"] == "UPDATE" }
    #expect(!updates.isEmpty && updates.allSatisfy { $0["info"]?["stage"] == "generate" })
    #expect(updates.last?["current"] == 1 && updates.last?["maximum"] == 1)
    #expect(session.types(of: "gen").first == "LAUNCH" && session.types(of: "gen").last == "COMPLETION")

    // Our params check: a FAILURE with the worker's message, the error object as info.
    let bad = try await session.run("bad", "generate", ["kind": "zebras", "output_dir": .string(folder.path)])
    #expect(bad["responseType"] == "FAILURE" && bad["info"]?["code"] == -32602, "\(bad)")
    #expect(bad["info"]?["data"]?["field"] == "kind")
    let message = try #require(bad["info"]?["message"]?.stringValue)
    #expect(bad["error"]?.stringValue?.hasPrefix(message) == true)

    let unknown = try await session.run("unknown", "fly")
    #expect(unknown["responseType"] == "FAILURE" && unknown["info"]?["code"] == -32601)
    #expect(unknown["error"]?.stringValue?.contains("unknown method \"fly\"") == true)
    #expect(unknown["error"]?.stringValue?.contains("initialize, train, segment") == true)

    // Code is not run: the FAILURE names the methods.
    let code = try await session.run("code", "task.outputs['x'] = 1\n")
    #expect(session.types(of: "code") == ["LAUNCH", "FAILURE"])
    let codeError = try #require(code["error"]?.stringValue)
    #expect(codeError.contains("runs no code") && codeError.contains("segment") && codeError.contains("model_info"))
    let missing = try await session.run("missing", .null)
    #expect(missing["error"]?.stringValue?.contains("got no script") == true, "\(missing)")

    let notObject = try await session.run("list", "generate", [1, 2])
    #expect(notObject["info"]?["data"]?["field"] == "inputs", "\(notObject)")

    // A method name with white space around it (as scripts often end in a line break) is that method.
    let padded = try await session.run("padded", "  status\n")
    #expect(padded["outputs"] == ["requests": []], "\(padded)")
    #expect(await session.finish())
  }

  @Test("Malformed lines are logged, never answered, and the worker keeps serving")
  func malformedLines() async throws {
    let session = ApposeSession()
    let malformed = [
      "not json", "[1,2]", #"{"requestType":"EXECUTE","script":"initialize"}"#, #"{"task":7,"requestType":"CANCEL"}"#,
      #"{"task":"x","requestType":"RUN"}"#, #"{"task":"x"}"#, Self.cancelLine("never-started"),
    ]
    session.sendRaw(malformed.map { $0 + "\n" }.joined())
    session.pipe.feed(bytes: [0xFF, 0xFE, 0x0A])  // not UTF-8
    let after = try await session.run("after", "initialize")
    #expect(after["responseType"] == "COMPLETION")
    #expect(session.lines.count == 3, "only HELLO, LAUNCH and COMPLETION: \(session.lines)")
    #expect(session.logged.withLock { $0.count } == malformed.count + 1, "\(session.logged.withLock { $0 })")
    #expect(await session.finish())
  }

  @Test("CANCEL of a running train and of a queued task answers CANCELATION; the cancel's own answer stays hidden")
  func cancel() async throws {
    let folder = TestFolder("appose-cancel")
    let session = ApposeSession()
    let generated = try await session.run(
      "gen", "generate", ["kind": "nuclei", "output_dir": .string(folder.path), "width": 64, "height": 64])
    let image = try #require(generated["outputs"]?["images"]?[0])
    let labels = try #require(generated["outputs"]?["labels"]?[0])
    session.execute(
      "long", "train",
      ["images": [image], "labels": [labels], "model_out": .string(folder.file("m.unet")), "iterations": 1_000_000,
       "config": ["base_channels": 4, "depth": 2, "tile_size": 20, "checkpoint_every": 1_000_000]])
    _ = try await session.waitFor("a train UPDATE") { session in
      session.responses(of: "long").first { $0["info"]?["stage"] == "train" && ($0["current"]?.int64Value ?? 0) >= 1 }
    }
    session.execute("queued", "generate", ["kind": "cells", "output_dir": .string(folder.path)])
    session.cancel("queued")
    let queued = try await session.terminal(of: "queued", timeout: .seconds(5))
    #expect(queued["responseType"] == "CANCELATION", "\(queued)")
    #expect(session.types(of: "queued") == ["LAUNCH", "CANCELATION"])
    session.cancel("long")
    let long = try await session.terminal(of: "long", timeout: .seconds(10))
    #expect(long["responseType"] == "CANCELATION", "\(long)")
    #expect(session.lines.allSatisfy { $0["jsonrpc"] == nil }, "no JSON-RPC line reaches the Appose side")
    #expect(session.lines.dropFirst().allSatisfy { $0["task"] != nil })
    #expect(!FileManager.default.fileExists(atPath: folder.file("m.unet")))
    #expect(await session.finish())
  }

  @Test("End of input: pending tasks finish (a last line without line break too), then the worker returns")
  func endOfInput() async throws {
    let folder = TestFolder("appose-end")
    let session = ApposeSession()
    session.sendRaw(
      ApposeSession.execute(
        "first", "generate", ["kind": "nuclei", "output_dir": .string(folder.path), "width": 32, "height": 32])
        + "\n" + ApposeSession.execute("last", "status"))
    #expect(await session.finish())
    #expect(session.types(of: "first").last == "COMPLETION")
    #expect(session.types(of: "last") == ["LAUNCH", "COMPLETION"])
  }
}
