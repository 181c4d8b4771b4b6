"""TF.js's `convertToTensor(x, argName, functionName, parseAsDtype)` dtype rules, for ops that
must reject what TF.js rejects (a float32 tensor where int32 indices are required, strings
where a numeric tensor is required)."""
from __future__ import annotations

from ..errors import ValueError
from ..tensor import Tensor, _infer_dtype, convert_to_tensor


def convert(x, arg: str, fn: str, parse: str = 'numeric') -> Tensor:
    """`x` as a Tensor, checked (Tensor input) or parsed (TensorLike input) as TF.js does."""
    if isinstance(x, Tensor):
        dtype = x.dtype
    else:
        if x is None:
            raise ValueError(f"Argument '{arg}' passed to '{fn}' must be a Tensor or TensorLike, "
                             'but got None.')
        dtype = _infer_dtype(x)
        if dtype != 'string' and parse in ('bool', 'int32', 'float32'):
            dtype = parse
    if parse != 'string_or_numeric' and ((parse != 'numeric' and parse != dtype)
                                         or (parse == 'numeric' and dtype == 'string')):
        raise ValueError(f"Argument '{arg}' passed to '{fn}' must be {parse} tensor, but got "
                         f'{dtype} tensor')
    if isinstance(x, Tensor):
        return x
    return convert_to_tensor(x, arg, fn, dtype)
