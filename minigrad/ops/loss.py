"""Losses and dropout. Each docstring: forward formula; derivative; why it is stable.

A loss computes one value per sample, then reduces them as PyTorch does: `reduction`
is 'none' (the per-sample values), 'sum', or 'mean', which divides the sum by `total`:
the number of elements or samples or, for class-index targets, the summed weight of
the targets that count (a weighted mean). A mean over nothing is NaN.

The losses over classes (CrossEntropy, NLLLoss) work on one layout, (C, samples), and
find each sample's target class in it by a flat index: on the small (N, C) batches of a
training step, NumPy's reductions over a short axis and `take_along_axis` cost several
times the arithmetic.
"""

import math

import numpy as np

from .. import dtypes
from ..engine import sum_to
from ..function import Function
from ..random import generator

# PyTorch's BCE gradient denominator floor: a C float, so 1e-12 rounded to float32 even for
# float64 inputs (9.9999996e-13).
BCE_EPSILON = float(np.float32(1e-12))


# ----- helpers shared by the losses -------------------------------------------------------
def _reduce(loss, reduction, total):
    """Reduce the per-sample losses; 'mean' divides their sum by `total`."""
    if reduction == "none":
        return loss
    out = np.add.reduce(loss, axis=None)  # loss.sum() without its Python layer
    if reduction == "sum":
        return out
    if total == 0:  # a mean over nothing (every target ignored, no samples): NaN, as PyTorch
        return np.full((), np.nan, loss.dtype)
    return out / total


def _per_sample(grad, reduction, total, valid=None):
    """dL/d(each per-sample loss), from `grad` = dL/d(the reduced loss).

    A mean over a zero total gives, as PyTorch's backward, NaN to the samples that count
    and 0 to the ignored ones (where `valid` is False; None means every sample counts).
    """
    if reduction != "mean":
        return grad
    if total != 0:
        return grad / total
    if valid is None:
        return grad * np.nan
    return np.where(valid, np.nan, 0.0).astype(grad.dtype)


def _ieee():
    """Let inf and NaN arise silently where IEEE arithmetic makes them, as in PyTorch.

    With finite inputs that happens only at the edges of a dtype's range (a result past
    float32's 3e38, float16's epsilon rounding to 0); NumPy would warn there, and these
    losses promise no warnings for finite inputs. Costs about 1 us a call, so each
    forward and backward enters it once.
    """
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _wide(*arrays):
    """float16 arrays as float32, the rest unchanged: a loss of float16 computes in float32
    and rounds once at the end, as PyTorch does on the CPU (each float16 step would round,
    and a mean's gradient, grad / N, would sink into float16's subnormals)."""
    return [a.astype(np.float32) if a is not None and a.dtype == np.float16 else a for a in arrays]


def _narrow(out, dtype):
    """The loss in the dtype its inputs give (undoing `_wide`)."""
    return out if out.dtype == dtype else out.astype(dtype)


def _sigmoid(x):
    """1 / (1 + exp(-x)), using exp(-|x|) <= 1 so that nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x):
    """log(1 + exp(x)) = -log(sigmoid(-x)) as max(x, 0) + log1p(exp(-|x|)): no overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


# ----- one row per class ------------------------------------------------------------------
def _class_axis(x) -> int:
    """Classes lie along dim 1 of (N, C, d1, ...) and along dim 0 of an unbatched (C,)."""
    return 1 if x.ndim > 1 else 0


def _by_class(x, axis):
    """x as (C, samples), one row per class: the class axis moved first, the rest flattened.

    A contiguous copy, so that a flat index addresses the same entry in every array computed
    from it. Why this layout: a reduction or broadcast over the classes then runs along the
    long sample axis; over a short class axis NumPy is several times slower (240 x 3 logits).
    """
    moved = x.swapaxes(0, axis)  # the class axis is 0 or 1, so moving it first is a swap
    return np.ascontiguousarray(moved.reshape(len(moved), math.prod(moved.shape[1:])))


def _from_by_class(g, shape, axis):
    """(C, samples) back in `shape`, the shape `_by_class` took it from (a view)."""
    return g.reshape(shape[axis : axis + 1] + shape[:axis] + shape[axis + 1 :]).swapaxes(0, axis)


def _log_softmax(x):
    """x - logsumexp(x) along axis 0 of x (C, samples), shifted by the max so that exp
    never overflows and the log's argument is at least 1."""
    if x.size == 0:  # no classes or no samples: nothing to normalise (and no log(0))
        return x.copy()
    shifted = x - np.maximum.reduce(x, axis=0)
    return shifted - np.log(np.add.reduce(np.exp(shifted), axis=0))


def _class_targets(target, weight, ignore_index, n_classes, dtype):
    """Check class-index targets (samples,); return (flat, w_target, total, valid).

    `flat` indexes each target's entry in a flattened (C, samples) array (class 0 for an
    ignored target); `w_target` is w[target] (1 without `weight`, a scalar when every target
    weighs 1), 0 where the target is ignored; `total` is its sum; `valid` marks the targets
    that count, None when all do.
    """
    n = target.shape[0]
    # Viewed as unsigned, negative (int64) targets are huge, so one max checks both bounds.
    in_range = n == 0 or np.maximum.reduce(target.view(np.uint64), axis=None) < n_classes
    if in_range and not 0 <= ignore_index < n_classes:  # the usual case: every target counts
        valid, index = None, target
    else:
        valid = target != ignore_index
        bad = valid & ((target < 0) | (target >= n_classes))
        if bad.any():
            raise IndexError(
                f"Target {target[bad][0]} is out of bounds: targets must be class indices in "
                f"[0, {n_classes - 1}] for {n_classes} classes, or ignore_index={ignore_index}"
            )
        index = np.where(valid, target, 0)
    flat = index * n + np.arange(n)
    if valid is None and weight is None:
        return flat, 1.0, n, None
    if valid is None:
        w_target = weight[index].astype(dtype, copy=False)
    elif weight is None or n_classes == 0:  # no classes: every target is ignored
        w_target = valid.astype(dtype)
    else:
        w_target = np.where(valid, weight[index], 0).astype(dtype, copy=False)
    return flat, w_target, w_target.sum(), valid


def _take(x, flat):
    """Each sample's entry of x (C, samples) at its flat index."""
    if x.size == 0:  # no classes, so every target is ignored
        return np.zeros(flat.shape, x.dtype)
    return x.take(flat)


# ----- the ops -----------------------------------------------------------------------------
class CrossEntropy(Function):
    """out = -sum(q * log_softmax(x)) over classes;  d/dx = grad * (softmax(x) * sum(q) - q).

    Stable: log_softmax(x) = (x - m) - log(sum(exp(x - m))) with m = max(x), so exp never
    overflows and the log's argument is at least 1: logits of +-1e4 stay finite.

    q says how much each class's log-probability counts, one column per sample. Class-index
    targets: (1 - label_smoothing) * w[target] on the target class (kept sparse: a flat
    index and its weight) plus label_smoothing / C * w[c] on every class c, and 0 for an
    ignored target. Class-probability targets (x's shape): (target * (1 - label_smoothing)
    + label_smoothing / C) * w[c]. This is log_softmax and nll_loss fused into one node.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
        dtype, shape, axis = x.dtype, x.shape, _class_axis(x)
        if dtype == np.float16:
            x, target, weight = _wide(x, target, weight)
        with _ieee():
            logp = _log_softmax(_by_class(x, axis))  # (C, samples)
            n_classes, n = logp.shape
            keep, share = 1 - label_smoothing, label_smoothing / max(n_classes, 1)
            w_c = 1.0 if weight is None else weight[:, None]  # each class's weight
            if target.dtype.kind == "f":  # class probabilities: q is dense
                flat = w_pick = valid = None
                soft = _by_class(target, axis)
                soft = soft * keep + share if label_smoothing else soft
                q = soft if weight is None else soft * w_c
                loss = -np.add.reduce(q * logp, axis=0)
                sum_q = np.add.reduce(q, axis=0)
                total = n if n_classes else 0  # the number of samples
            else:  # class indices: q is keep * w[t] at each flat index, plus the smoothing
                flat, w_target, total, valid = _class_targets(
                    target.reshape(n), weight, ignore_index, n_classes, logp.dtype
                )
                soft = q = None
                loss = -w_target * _take(logp, flat)
                w_pick = sum_q = w_target
                if label_smoothing > 0:
                    uniform = -np.add.reduce(logp * w_c, axis=0)
                    loss = keep * loss + share * uniform
                    counts = 1.0 if valid is None else valid.astype(logp.dtype)
                    q = counts * (share * w_c)  # the smoothing's share of every class
                    w_pick = keep * w_target
                    sum_q = w_pick + np.add.reduce(np.broadcast_to(q, logp.shape), axis=0)
                if valid is not None:  # 0 even where the log-probability is -inf
                    loss = np.where(valid, loss, 0)
            ctx.save_for_backward(logp, flat, w_pick, q, sum_q, valid, soft, w_c)
            ctx.total, ctx.reduction, ctx.shape, ctx.axis = total, reduction, shape, axis
            ctx.keep = keep
            out = _reduce(loss.reshape(shape[:axis] + shape[axis + 1 :]), reduction, total)
            if n_classes == 0 and label_smoothing > 0 and flat is not None:  # class indices
                out = out * np.nan  # PyTorch scales the reduced loss by label_smoothing / 0
            return _narrow(out, dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.dtype == np.float16:
            (grad,) = _wide(grad)
        with _ieee():
            logp, flat, w_pick, q, sum_q, valid, soft, w_c = ctx.saved
            g = _per_sample(grad, ctx.reduction, ctx.total, valid)
            g = g.reshape(-1) if g.ndim else g  # one per sample, or one for all
            need_x, need_target, need_weight = ctx.needs_input_grad
            gx = gt = gw = None
            if need_x:
                gx = np.exp(logp) * (g * sum_q)
                if flat is not None and logp.size:
                    gx.ravel()[flat] -= g * w_pick
                if q is not None:
                    gx -= g * q
                gx = _from_by_class(gx, ctx.shape, ctx.axis)
            if need_target:  # probabilities: d/dtarget = -grad * (1 - label_smoothing) * w * logp
                gt = (-ctx.keep * g) * logp * w_c
                gt = _from_by_class(gt, ctx.shape, ctx.axis)
            if need_weight and soft is not None:  # d/dw[c] = -sum over samples of grad*soft*logp
                gw = np.add.reduce(-g * soft * logp, axis=1)
            return gx, gt, gw


class NLLLoss(Function):
    """out = -w[t] * x[t] per sample (x: log-probabilities);  d/dx = -grad * w[t] at t, else 0.

    Stable: no exp or log of its own. t is the target class; an ignored target has w[t] = 0.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index=-100, reduction="mean"):
        shape, axis = x.shape, _class_axis(x)
        x = _by_class(x, axis)
        with _ieee():  # the sums of the weights and of the losses may pass the dtype's range
            flat, w_target, total, valid = _class_targets(
                target.reshape(x.shape[1]), weight, ignore_index, x.shape[0], x.dtype
            )
            loss = -w_target * _take(x, flat)
            if valid is not None:  # 0 even where x is inf
                loss = np.where(valid, loss, 0)
            out = _reduce(loss.reshape(target.shape), reduction, total)
        ctx.save_for_backward(flat, w_target, valid)
        ctx.total, ctx.reduction, ctx.shape, ctx.axis = total, reduction, shape, axis
        return out

    @staticmethod
    def backward(ctx, grad):
        with _ieee():
            flat, w_target, valid = ctx.saved
            g = _per_sample(grad, ctx.reduction, ctx.total, valid)
            g = g.reshape(-1) if g.ndim else g
            shape, axis = ctx.shape, ctx.axis
            gx = np.zeros((shape[axis], math.prod(shape[:axis] + shape[axis + 1 :])), grad.dtype)
            if gx.size:
                gx.ravel()[flat] = -g * w_target
            return _from_by_class(gx, shape, axis), None, None


class BCE(Function):
    """out = -w(y log(x) + (1 - y) log(1 - x));  d/dx = w(x - y) / max(x(1 - x), 1e-12).

    Stable: as in PyTorch each log is clamped at -100, so x = 0 or 1 gives a finite loss,
    and the gradient is PyTorch's formula (not the clamp's derivative), finite as well.
    x and y must lie in [0, 1] (PyTorch checks both).
    d/dy = w(log(1 - x) - log(x)), which is +-inf at x = 0 or 1, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, y, weight, reduction="mean"):
        dtype = x.dtype
        if dtype == np.float16:
            x, y, weight = _wide(x, y, weight)
        _check_probabilities(x, y)
        with _ieee():  # log(0) = -inf, before the clamp
            loss = (y - 1) * np.maximum(np.log1p(-x), -100.0) - y * np.maximum(np.log(x), -100.0)
            if weight is not None:  # in the weight's own dtype, then x's, as PyTorch
                loss = (loss * weight).astype(x.dtype, copy=False)
            ctx.save_for_backward(x, y, weight)
            ctx.total, ctx.reduction = loss.size, reduction
            # PyTorch's floor in the input's dtype: float16 rounds 1e-12 to 0 (NaN at 0 and 1)
            ctx.epsilon = BCE_EPSILON if dtype != np.float16 else 0.0
            return _narrow(_reduce(loss, reduction, loss.size), dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.dtype == np.float16:
            (grad,) = _wide(grad)
        with _ieee():
            x, y, weight = ctx.saved
            g = _per_sample(grad, ctx.reduction, ctx.total)
            if weight is not None:
                g = g * weight
            need_x, need_y, _ = ctx.needs_input_grad
            gx = gy = None
            if need_x:
                gx = g * (x - y) / np.maximum((1 - x) * x, ctx.epsilon)
            if need_y:  # at x = 0 or 1 a zero weight gives 0 * inf = NaN, as in PyTorch
                gy = g * (np.log1p(-x) - np.log(x))
            return gx, gy, None


def _check_probabilities(x, y):
    """Raise unless every element of x (input) and y (target) lies in [0, 1], as PyTorch."""
    # Both at once: minimum and maximum propagate NaN, which fails both comparisons.
    if x.size == 0 or (np.minimum(x, y).min() >= 0 and np.maximum(x, y).max() <= 1):
        return
    for p, name, hint in (
        (x, "input", "binary_cross_entropy_with_logits takes raw scores"),
        (y, "target", "use 0/1 labels or probabilities"),
    ):
        bad = p[~((p >= 0) & (p <= 1))]  # NaN too
        if bad.size:
            raise RuntimeError(
                f"binary_cross_entropy: all elements of {name} should be between 0 and 1 "
                f"({hint}), but found {bad[0]}"
                + (f" and {bad.size - 1} more" if bad.size > 1 else "")
            )


class BCEWithLogits(Function):
    """out = w((1 - y)x + l softplus(-x)), l = 1 + (pw - 1)y;  d/dx = w(l sigmoid(x) - pw y).

    Stable: softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)) exponentiates
    only numbers <= 0 (log-sum-exp), so logits of +-1e4 give finite values and gradients.
    pw is pos_weight (1 when not given); d/dy = w(pw softplus(-x) - softplus(x)), which
    is -w x without pw. Each is arranged as PyTorch's, which cancels least for tiny pw.
    """

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction="mean"):
        dtype = np.result_type(*(a for a in (x, y, weight, pos_weight) if a is not None))
        x, y, weight, pos_weight = _wide(x, y, weight, pos_weight)
        with _ieee():
            softplus = _softplus(-x)
            if pos_weight is not None:
                softplus = ((pos_weight - 1) * y + 1) * softplus
            loss = (1 - y) * x + softplus
            if weight is not None:
                loss = loss * weight
            ctx.save_for_backward(x, y, weight, pos_weight)
            ctx.total, ctx.reduction = loss.size, reduction
            return _narrow(_reduce(loss, reduction, loss.size), dtype)

    @staticmethod
    def backward(ctx, grad):
        (grad,) = _wide(grad)
        with _ieee():
            x, y, weight, pos_weight = ctx.saved
            g = _per_sample(grad, ctx.reduction, ctx.total)
            if weight is not None:
                g = g * weight
            need_x, need_y, _, _ = ctx.needs_input_grad
            gx = gy = None
            if need_x and pos_weight is None:
                gx = g * (_sigmoid(x) - y)
            elif need_x:
                positive = pos_weight * y
                gx = g * ((positive + 1 - y) * _sigmoid(x) - positive)
            if need_y and pos_weight is None:
                gy = g * -x
            elif need_y:
                gy = g * (pos_weight * _softplus(-x) - _softplus(x))
            return gx, gy, None, None


class MSE(Function):
    """out = w(x - y)**2 (w = 1 unless given);  d/dx = 2w(x - y) * grad, d/dy = -d/dx.

    Stable: a difference and a square. A weighted mean divides by sum(w), as in PyTorch,
    so d/dw = grad * ((x - y)**2 - out) / sum(w) for 'mean', grad * (x - y)**2 otherwise.
    """

    @staticmethod
    def forward(ctx, x, y, weight, reduction="mean"):
        dtype = np.result_type(*(a for a in (x, y, weight) if a is not None))
        x, y, weight = _wide(x, y, weight)
        with _ieee():
            diff = x - y
            squared = np.asarray(diff * diff)  # 0-d math gives a NumPy scalar: keep its ndim
            if weight is None:
                loss = squared
            else:  # in PyTorch's result type: a 0-d weight does not widen the squares
                common = dtypes.result_type(squared, weight)
                loss = squared.astype(common, copy=False) * weight.astype(common, copy=False)
            total = loss.size if weight is None else weight.sum()
            out = _reduce(loss, reduction, total)
            need_weight = ctx.needs_input_grad[2]
            ctx.save_for_backward(diff, weight, squared if need_weight else None)
            ctx.total, ctx.reduction, ctx.common = total, reduction, loss.dtype
            ctx.mean = out if need_weight and reduction == "mean" else 0
            return _narrow(out, dtype)

    @staticmethod
    def backward(ctx, grad):
        (grad,) = _wide(grad)
        with _ieee():
            diff, weight, squared = ctx.saved
            g = _per_sample(grad, ctx.reduction, ctx.total)
            need_x, need_y, need_weight = ctx.needs_input_grad
            gx = gy = gw = None
            # In PyTorch's order of operations, which decides what overflows near 3e38.
            if (need_x or need_y) and weight is None:
                norm = 2.0 / max(ctx.total, 1) if ctx.reduction == "mean" else 2.0
                gd = norm * diff * grad
            elif need_x or need_y:  # rounded as PyTorch's graph rounds: 1/sum(w) may overflow
                # (float32 and float64; float16 computes in float32 here, see `_wide`)
                weighted = _narrow(g, ctx.common) * weight.astype(ctx.common, copy=False)
                gd = _narrow(weighted, diff.dtype) * (2 * diff)
            if need_x or need_y:
                gx, gy = (gd if need_x else None), (-gd if need_y else None)
            if need_weight and ctx.reduction == "mean":
                # sum(w) counts each weight once even where the target broadcasts it; and
                # PyTorch's order of operations, which cancels the same way for a tiny sum(w).
                gw = sum_to(g * squared, weight.shape) - grad * (ctx.mean / ctx.total)
            elif need_weight:
                gw = g * squared
            return gx, gy, gw


class Dropout(Function):
    """out = x * mask / (1 - p), mask ~ Bernoulli(1 - p);  d/dx = mask / (1 - p), saved.

    Each element is kept with probability 1 - p, drawn from the global generator that
    `manual_seed` sets; scaling by 1 / (1 - p) keeps the expected value of out equal to x.
    """

    @staticmethod
    def forward(ctx, x, p):
        if p == 1:  # PyTorch's rule: everything dropped (and no division by zero)
            mask = np.zeros(x.shape, x.dtype)
        else:
            mask = (generator().random(x.shape) >= p).astype(x.dtype) / (1.0 - p)
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved
        return grad * mask, None
