jq -nc --arg image cells.tif '{jsonrpc:"2.0", id:1, method:"segment", params:{model:"model.unet", images:[$image], output_dir:"out"}}' \
  | unet-worker | jq -r 'select(.id == 1) | .error.message // (.result.outputs[] | .probabilities, .mask, .instances)'
