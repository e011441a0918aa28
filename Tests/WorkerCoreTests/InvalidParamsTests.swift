import JSONRPC
import Testing

/// Params that are missing, of the wrong type, unknown or out of range: -32602 with
/// `data.field` naming the param by its dotted path, answered before any file is touched.
@Suite("Invalid params")
struct InvalidParamsTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let method: String
    /// The params as JSON text.
    let params: String
    /// The field `data.field` must name.
    let field: String
    var testDescription: String { "\(method) \(params) → \(field)" }

    init(_ method: String, _ params: String, _ field: String) {
      self.method = method
      self.params = params
      self.field = field
    }
  }

  /// A complete, valid `train` params object with `change` merged over it.
  static func train(_ change: String) -> String {
    let base = #""images":["a.tif"],"labels":["a_labels.tif"],"model_out":"m.unet""#
    return change.isEmpty ? "{\(base)}" : "{\(base),\(change)}"
  }

  /// A complete, valid `segment` params object with `change` merged over it.
  static func segment(_ change: String) -> String {
    let base = #""model":"m.unet","images":["a.tif"],"output_dir":"out""#
    return change.isEmpty ? "{\(base)}" : "{\(base),\(change)}"
  }

  static let cases: [Case] = [
    Case("train", "{}", "images"),
    Case("train", #"{"images":"a.tif","labels":["b.tif"],"model_out":"m.unet"}"#, "images"),
    Case("train", #"{"images":["a.tif",2],"labels":["b.tif","c.tif"],"model_out":"m.unet"}"#, "images[1]"),
    Case("train", #"{"images":["a.tif"],"model_out":"m.unet"}"#, "labels"),
    Case("train", #"{"images":["a.tif"],"labels":["b.tif"]}"#, "model_out"),
    Case("train", #"{"images":["a.tif"],"labels":["b.tif","c.tif"],"model_out":"m.unet"}"#, "labels"),
    Case("train", #"{"images":[],"labels":[],"model_out":"m.unet"}"#, "images"),
    Case("train", train(#""imagez":["a.tif"]"#), "imagez"),
    Case("train", train(#""iterations":1.5"#), "iterations"),
    Case("train", train(#""iterations":0"#), "iterations"),
    Case("train", train(#""iterations":"10""#), "iterations"),
    Case("train", train(#""max_seconds":-1"#), "max_seconds"),
    Case("train", train(#""init_model":7"#), "init_model"),
    Case("train", train(#""config":"fast""#), "config"),
    Case("train", train(#""config":{"sigma":"5"}"#), "config.sigma"),
    Case("train", train(#""config":{"sigmaa":5}"#), "config.sigmaa"),
    Case("train", train(#""config":{"optimizer":"rmsprop"}"#), "config.optimizer"),
    Case("train", train(#""config":{"depth":9}"#), "config.depth"),
    Case("train", train(#""config":{"tile_size":64.5}"#), "config.tile_size"),
    Case("train", train(#""config":{"seed":-1}"#), "config.seed"),
    Case("train", train(#""config":{"class_balance":1}"#), "config.class_balance"),
    Case("train", train(#""config":{"augment":{"elastic":"yes"}}"#), "config.augment.elastic"),
    Case("train", train(#""config":{"augment":{"shear":true}}"#), "config.augment.shear"),
    Case("train", train(#""config":{"augment":true}"#), "config.augment"),
    Case("train", train(#""validation":{"images":["v.tif"]}"#), "validation.labels"),
    Case("train", train(#""config":{"sampling":"objects"}"#), "config.sampling"),
    Case("train", train(#""config":{"foreground_crops":1.5}"#), "config.foreground_crops"),
    Case("train", train(#""config":{"lr_schedule":"linear"}"#), "config.lr_schedule"),
    Case("train", train(#""config":{"classes":256,"label_kind":"classes"}"#), "config.classes"),
    Case("train", train(#""config":{"classes":1}"#), "config.classes"),
    Case("train", train(#""config":{"classes":3}"#), "config.label_kind"),
    Case("train", train(#""config":{"classes":3,"label_kind":"colours"}"#), "config.label_kind"),
    Case("train", train(#""config":{"classes":3,"label_kind":"classes","class_names":["bg","a"]}"#), "config.class_names"),
    Case("train", train(#""config":{"class_names":["bg","a","b"]}"#), "config.class_names"),
    Case("train", train(#""config":{"pixel_size":0}"#), "config.pixel_size"),
    Case("train", train(#""config":{"classes":3,"label_kind":"classes","class_names":["bg","a",3]}"#), "config.class_names[2]"),
    Case("segment", "{}", "images"),
    Case("segment", #"{"images":[],"model":"m.unet","output_dir":"out"}"#, "images"),
    Case("segment", #"{"images":["a.tif"],"output_dir":"out"}"#, "model"),
    Case("segment", #"{"images":["a.tif"],"model":"m.unet"}"#, "output_dir"),
    Case("segment", segment(#""outputs":["masks"]"#), "outputs"),
    Case("segment", segment(#""outputs":["class"]"#), "outputs"),
    Case("segment", segment(#""outputs":[]"#), "outputs"),
    Case("segment", segment(#""outputs":"mask""#), "outputs"),
    Case("segment", segment(#""tile_size":0"#), "tile_size"),
    Case("segment", segment(#""tile_size":100.5"#), "tile_size"),
    Case("segment", segment(#""memory_mb":"lots""#), "memory_mb"),
    Case("segment", segment(#""tta":"yes""#), "tta"),
    Case("segment", segment(#""grow_instances":null,"threshold":2"#), "threshold"),
    Case("segment", segment(#""overlap":8"#), "overlap"),
    Case("segment", segment(#""min_object_area":-1"#), "min_object_area"),
    Case("segment", segment(#""min_object_area":2.5"#), "min_object_area"),
    Case("segment", #"["m.unet",["a.tif"],"out"]"#, "params"),
    Case("segment", segment(#""pixel_size":0"#), "pixel_size"),
    Case("segment", segment(#""pixel_size":-0.5"#), "pixel_size"),
    Case("segment", segment(#""pixel_size":"0.5 um""#), "pixel_size"),
    Case("weight_map", #"{"labels":"l.tif"}"#, "output"),
    Case("weight_map", #"{"labels":"l.tif","output":"w.tif","sigma":0}"#, "sigma"),
    Case("weight_map", #"{"labels":"l.tif","output":"w.tif","ignore_value":0}"#, "ignore_value"),
    Case("weight_map", #"{"labels":"l.tif","output":"w.tif","classes":3}"#, "classes"),
    Case("weight_map", #"{"labels":"l.tif","output":"w.tif","label_kind":"class"}"#, "label_kind"),
    Case("evaluate", #"{"prediction":"p.tif"}"#, "truth"),
    Case("evaluate", #"{"prediction":5,"truth":"t.tif"}"#, "prediction"),
    Case("evaluate", #"{"prediction":"p.tif","truth":"t.tif","truth_kind":"labels"}"#, "truth_kind"),
    Case("evaluate", #"{"prediction":"p.tif","truth":"t.tif","classes":3}"#, "classes"),
    Case("evaluate", #"{"prediction":"p.tif","truth":"t.tif","truth_kind":"classes","classes":1}"#, "classes"),
    Case("generate", #"{"kind":"dogs","output_dir":"out"}"#, "kind"),
    Case("generate", #"{"kind":"nuclei"}"#, "output_dir"),
    Case("generate", #"{"kind":"nuclei","output_dir":"out","width":4}"#, "width"),
    Case("generate", #"{"kind":"nuclei","output_dir":"out","count":0}"#, "count"),
    Case("model_info", "{}", "model"),
    Case("model_info", #"{"model":3}"#, "model"),
    Case("cancel", "{}", "request"),
    Case("cancel", #"{"request":true}"#, "request"),
    Case("cancel", #"{"request":1.5}"#, "request"),
  ]

  @Test("Each bad param is -32602 naming its field, then a normal request still works", arguments: cases)
  func namesTheField(_ bad: Case) async throws {
    let session = WorkerSession()
    let params = try JSONValue.parse(bad.params)
    let reply = try await session.call(1, bad.method, params)
    #expect(reply.code == -32602, "\(reply)")
    #expect(reply.data?["field"] == .string(bad.field), "\(reply)")
    #expect(reply.error?["message"]?.stringValue?.isEmpty == false)
    let after = try await session.call(2, "status")
    #expect(after.result == ["requests": []], "a bad request must not be queued: \(after)")
    #expect(await session.finish())
    #expect(session.replies.count == 2, "\(session.replies)")
    #expect(session.notifications("progress").isEmpty, "a rejected request must not start")
  }
}
