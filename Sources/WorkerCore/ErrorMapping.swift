import JSONRPC
import NeuralCore
import TIFFSupport

/// The single funnel from any error to the JSON-RPC error a client sees.
///
/// Errors that carry a protocol meaning (bad params, unreadable files, mismatched data,
/// cancellation) keep it; anything else is a bug in the worker and becomes -32603 with
/// its description, while the worker stays up.
func rpcError(from error: any Error) -> RPCError {
  switch error {
  case let error as RPCError:
    return error
  case is RequestCancelled:
    return .cancelled
  case let error as TIFFError:
    // Messages name the file, so a client can show them as they are.
    let message = error.path.isEmpty || error.message.contains(error.path)
      ? error.message : "\(error.path): \(error.message)"
    if error.code == .writeFailed {
      return .fileUnwritable(path: error.path, message)
    }
    return .fileUnreadable(path: error.path, message)
  case let error as ModelFileAccessError:
    return error.rpcError
  default:
    return .internalError("internal error: \(error)")
  }
}
