"""Wrong answers a student might hand in, for every exercise: each must lose points.

Near misses (the other ``dim``, a Bessel-corrected std, a transposed matrix),
written as a student would write them, under the function name the exercise
declares. ``tests/test_exercises.py`` runs each through the check cell's check,
``tests/test_class.py`` hands some in to the grader.
"""

WRONG_ANSWERS: dict[str, dict[str, str]] = {
    "check_softmax": {
        "softmax over dim 0": "def my_softmax(z):\n    return z.softmax(dim=0)\n",
        "sum without keepdim": "def my_softmax(z):\n    return torch.exp(z) / torch.exp(z).sum(dim=-1)\n",
        "sum over the whole tensor": "def my_softmax(z):\n    return torch.exp(z) / torch.exp(z).sum()\n",
        "no normalisation": "def my_softmax(z):\n    return torch.exp(z)\n",
        "computed in float16": "def my_softmax(z):\n    return F.softmax(z.half(), dim=-1).float()\n",
    },
    "check_temperature": {
        "multiplies by T": "def softmax_with_temperature(z, T):\n    return F.softmax(z * T, dim=-1)\n",
        "divides the probabilities by T": "def softmax_with_temperature(z, T):\n    return F.softmax(z, dim=-1) / T\n",
        "divides by T squared": "def softmax_with_temperature(z, T):\n    return F.softmax(z / T ** 2, dim=-1)\n",
        "softmax over dim 0": "def softmax_with_temperature(z, T):\n    return F.softmax(z / T, dim=0)\n",
        "ignores T": "def softmax_with_temperature(z, T):\n    return F.softmax(z, dim=-1)\n",
    },
    "check_one_hot": {
        "transposed scatter": "def my_one_hot(y, k):\n    return torch.zeros(k, len(y)).scatter_(0, y.unsqueeze(0), 1)\n",
        "columns of the identity": "def my_one_hot(y, k):\n    return torch.eye(k)[:, y]\n",
        "index as a row": "def my_one_hot(y, k):\n    return torch.zeros(len(y), k).scatter_(1, y.unsqueeze(0), 1)\n",
        "long instead of float": "def my_one_hot(y, k):\n    return F.one_hot(y, k)\n",
        "width y.max() + 1": "def my_one_hot(y, k):\n    return F.one_hot(y).float()\n",
    },
    "check_labels_from_one_hot": {
        "argmax over dim 0": "def labels_from_one_hot(m):\n    return m.argmax(dim=0)\n",
        "argmin": "def labels_from_one_hot(m):\n    return m.argmin(dim=1)\n",
        "int32 labels": "def labels_from_one_hot(m):\n    return m.argmax(dim=1).int()\n",
        "float labels": "def labels_from_one_hot(m):\n    return m.argmax(dim=1).float()\n",
    },
    "check_cross_entropy": {
        "log base 2": "def my_cross_entropy(z, y):\n    return -torch.log2(F.softmax(z, dim=1))[torch.arange(len(y)), y].mean()\n",
        "sum instead of mean": "def my_cross_entropy(z, y):\n    return -F.log_softmax(z, dim=1)[torch.arange(len(y)), y].sum()\n",
        "log_softmax over dim 0": "def my_cross_entropy(z, y):\n    return -F.log_softmax(z, dim=0)[torch.arange(len(y)), y].mean()\n",
        "mean over every entry": "def my_cross_entropy(z, y):\n    return -(F.one_hot(y, z.shape[1]) * F.log_softmax(z, dim=1)).mean()\n",
        "log of softmax": "def my_cross_entropy(z, y):\n    return F.nll_loss(torch.log(F.softmax(z, dim=1)), y)\n",
        "nll_loss on probabilities": "def my_cross_entropy(z, y):\n    return F.nll_loss(F.softmax(z, dim=1), y)\n",
    },
    "check_logit_gradient": {
        "not divided by N": "def logit_gradient(z, y):\n    return F.softmax(z, dim=1) - F.one_hot(y, z.shape[1])\n",
        "divided by N * C": "def logit_gradient(z, y):\n    return (F.softmax(z, dim=1) - F.one_hot(y, z.shape[1])) / z.numel()\n",
        "softmax over dim 0": "def logit_gradient(z, y):\n    return (F.softmax(z, dim=0) - F.one_hot(y, z.shape[1])) / len(y)\n",
        "sign flipped": "def logit_gradient(z, y):\n    return (F.one_hot(y, z.shape[1]) - F.softmax(z, dim=1)) / len(y)\n",
    },
    "check_accuracy": {
        "argmin": "def my_accuracy(logits, y):\n    return (logits.argmin(dim=1) == y).float().mean().item()\n",
        "count, not fraction": "def my_accuracy(logits, y):\n    return (logits.argmax(dim=1) == y).sum().item()\n",
        "percent": "def my_accuracy(logits, y):\n    return 100 * (logits.argmax(dim=1) == y).float().mean().item()\n",
        "argmax over dim 0": "def my_accuracy(logits, y):\n    return (logits.argmax(dim=0) == y).float().mean().item()\n",
    },
    "check_double_softmax_floor": {
        "log base 2": "def double_softmax_floor(k):\n    return -math.log2(math.e / (math.e + k - 1))\n",
        "e / (e + k)": "def double_softmax_floor(k):\n    return -math.log(math.e / (math.e + k))\n",
        "probability, not cost": "def double_softmax_floor(k):\n    return math.e / (math.e + k - 1)\n",
        "uniform cost log(k)": "def double_softmax_floor(k):\n    return math.log(k)\n",
        "fixed at 3 classes": "def double_softmax_floor(k):\n    return -math.log(math.e / (math.e + 2))\n",
    },
    "check_cost_from_probabilities": {
        "nll_loss on probabilities": "def cost_from_probabilities(probs, y):\n    return F.nll_loss(probs, y)\n",
        "cross_entropy on probabilities": "def cost_from_probabilities(probs, y):\n    return F.cross_entropy(probs, y)\n",
        "sum, not mean": "def cost_from_probabilities(probs, y):\n    return -torch.log(probs[torch.arange(len(y)), y]).sum()\n",
        "log base 2": "def cost_from_probabilities(probs, y):\n    return F.nll_loss(torch.log2(probs), y)\n",
        "the largest probability": "def cost_from_probabilities(probs, y):\n    return -torch.log(probs.amax(dim=1)).mean()\n",
    },
    "check_stable_softmax": {
        "no shift": "def my_stable_softmax(z):\n    return torch.exp(z) / torch.exp(z).sum(dim=-1, keepdim=True)\n",
        "global maximum": "def my_stable_softmax(z):\n    exp_shifted = torch.exp(z - z.max())\n    return exp_shifted / exp_shifted.sum(dim=-1, keepdim=True)\n",
        "row minimum": "def my_stable_softmax(z):\n    exp_shifted = torch.exp(z - z.amin(dim=-1, keepdim=True))\n    return exp_shifted / exp_shifted.sum(dim=-1, keepdim=True)\n",
        "softmax over dim 0": "def my_stable_softmax(z):\n    return F.softmax(z, dim=0)\n",
    },
    "check_logsumexp": {
        "global maximum": "def my_logsumexp(z):\n    m = z.max()\n    return m + torch.log(torch.exp(z - m).sum(dim=-1))\n",
        "keepdim": "def my_logsumexp(z):\n    return torch.logsumexp(z, dim=-1, keepdim=True)\n",
        "no shift": "def my_logsumexp(z):\n    return torch.log(torch.exp(z).sum(dim=-1))\n",
        "max only": "def my_logsumexp(z):\n    return z.amax(dim=-1)\n",
        "log base 2": "def my_logsumexp(z):\n    return torch.logsumexp(z, dim=-1) / math.log(2)\n",
    },
    "check_standardize": {
        "Bessel-corrected std": "def my_standardize(x_train, x_test):\n    mean, std = x_train.mean(dim=0), x_train.std(dim=0, correction=1)\n    std = torch.where(std > 0, std, torch.ones_like(std))\n    return (x_train - mean) / std, (x_test - mean) / std\n",
        "test statistics for x_test": "def my_standardize(x_train, x_test):\n    mean, std = x_train.mean(dim=0), x_train.std(dim=0, correction=0)\n    std = torch.where(std > 0, std, torch.ones_like(std))\n    return (x_train - mean) / std, (x_test - x_test.mean(dim=0)) / x_test.std(dim=0, correction=0)\n",
        "statistics of both splits": "def my_standardize(x_train, x_test):\n    mean, std = torch.cat([x_train, x_test]).mean(dim=0), torch.cat([x_train, x_test]).std(dim=0, correction=0)\n    std = torch.where(std > 0, std, torch.ones_like(std))\n    return (x_train - mean) / std, (x_test - mean) / std\n",
        "epsilon instead of 1 for a constant feature": "def my_standardize(x_train, x_test):\n    mean, std = x_train.mean(dim=0), x_train.std(dim=0, correction=0) + 1e-08\n    return (x_train - mean) / std, (x_test - mean) / std\n",
        "divides by 0 for a constant feature": "def my_standardize(x_train, x_test):\n    mean, std = x_train.mean(dim=0), x_train.std(dim=0, correction=0)\n    return (x_train - mean) / std, (x_test - mean) / std\n",
        "one tensor, not a tuple": "def my_standardize(x_train, x_test):\n    mean, std = x_train.mean(dim=0), x_train.std(dim=0, correction=0)\n    std = torch.where(std > 0, std, torch.ones_like(std))\n    return torch.cat([(x_train - mean) / std, (x_test - mean) / std])\n",
    },
    "check_confusion_matrix": {
        "transposed": "def my_confusion_matrix(t, p, k):\n    return torch.bincount(p * k + t, minlength=k * k).view(k, k)\n",
        "sets a cell instead of adding": "def my_confusion_matrix(y_true, y_pred, k):\n    matrix = torch.zeros(k, k, dtype=torch.long)\n    for true, pred in zip(y_true.tolist(), y_pred.tolist()):\n        matrix[true, pred] = 1\n    return matrix\n",
        "vectorised += drops repeats": "def my_confusion_matrix(y_true, y_pred, k):\n    matrix = torch.zeros(k, k, dtype=torch.long)\n    matrix[y_true, y_pred] += 1  # a repeated (true, pred) pair is counted once\n    return matrix\n",
        "float counts": "def my_confusion_matrix(t, p, k):\n    return torch.bincount(t * k + p, minlength=k * k).view(k, k).float()\n",
        "size from the labels seen": "def my_confusion_matrix(t, p, k):\n    return torch.bincount(t * k + p).view(k, k)\n",
    },
}

# Lesson 09 (minibatches).
WRONG_ANSWERS["check_sgd_step"] = {
    "step along the gradient": "def my_sgd_step(w, grad, lr, weight_decay):\n    return w + lr * (grad + weight_decay * w)\n",
    "decay not scaled by lr": "def my_sgd_step(w, grad, lr, weight_decay):\n    return w - lr * grad - weight_decay * w\n",
    "half the decay": "def my_sgd_step(w, grad, lr, weight_decay):\n    return w - lr * (grad + weight_decay / 2 * w)\n",
    "decay of the sign (L1)": "def my_sgd_step(w, grad, lr, weight_decay):\n    return w - lr * (grad + weight_decay * w.sign())\n",
    "decay pushes away from 0": "def my_sgd_step(w, grad, lr, weight_decay):\n    return w - lr * (grad - weight_decay * w)\n",
}
WRONG_ANSWERS["check_label_smoothing_cross_entropy"] = {
    "epsilon shared by the other classes only": "def my_label_smoothing_cross_entropy(z, y, epsilon):\n    C = z.shape[1]\n    one_hot = F.one_hot(y, C).to(z.dtype)\n    target = (1 - epsilon) * one_hot + epsilon / (C - 1) * (1 - one_hot)\n    return -(target * F.log_softmax(z, dim=1)).sum(dim=1).mean()\n",
    "epsilon added, nothing taken": "def my_label_smoothing_cross_entropy(z, y, epsilon):\n    target = F.one_hot(y, z.shape[1]).to(z.dtype) + epsilon / z.shape[1]\n    return -(target * F.log_softmax(z, dim=1)).sum(dim=1).mean()\n",
    "sum over the samples": "def my_label_smoothing_cross_entropy(z, y, epsilon):\n    C = z.shape[1]\n    target = (1 - epsilon) * F.one_hot(y, C).to(z.dtype) + epsilon / C\n    return -(target * F.log_softmax(z, dim=1)).sum()\n",
    "smoothing ignored": "def my_label_smoothing_cross_entropy(z, y, epsilon):\n    return -F.log_softmax(z, dim=1)[torch.arange(len(y)), y].mean()\n",
    "log_softmax over dim 0": "def my_label_smoothing_cross_entropy(z, y, epsilon):\n    C = z.shape[1]\n    target = (1 - epsilon) * F.one_hot(y, C).to(z.dtype) + epsilon / C\n    return -(target * F.log_softmax(z, dim=0)).sum(dim=1).mean()\n",
}
# Lesson 10 (calibration).
WRONG_ANSWERS["check_expected_calibration_error"] = {
    "gaps with their sign": "def my_ece(probs, y):\n    confidence, predicted = probs.max(dim=1)\n    right = (predicted == y).double()\n    total = 0.0\n    for b in range(10):\n        mask = (confidence > b / 10) & (confidence <= (b + 1) / 10)\n        if mask.any():\n            total += mask.sum().item() / len(y) * (right[mask].mean() - confidence[mask].mean()).item()\n    return total\n",
    "bins not weighted by their size": "def my_ece(probs, y):\n    confidence, predicted = probs.max(dim=1)\n    right = (predicted == y).double()\n    gaps = []\n    for b in range(10):\n        mask = (confidence > b / 10) & (confidence <= (b + 1) / 10)\n        if mask.any():\n            gaps.append(abs((right[mask].mean() - confidence[mask].mean()).item()))\n    return sum(gaps) / len(gaps)\n",
    "probability of the true class as confidence": "def my_ece(probs, y):\n    confidence = probs[torch.arange(len(y)), y]\n    right = (probs.argmax(dim=1) == y).double()\n    total = 0.0\n    for b in range(10):\n        mask = (confidence > b / 10) & (confidence <= (b + 1) / 10)\n        if mask.any():\n            total += mask.sum().item() / len(y) * abs((right[mask].mean() - confidence[mask].mean()).item())\n    return total\n",
    "one gap over all images": "def my_ece(probs, y):\n    confidence, predicted = probs.max(dim=1)\n    return abs((predicted == y).double().mean().item() - confidence.mean().item())\n",
    "bins closed on the left": "def my_ece(probs, y):\n    confidence, predicted = probs.max(dim=1)\n    right = (predicted == y).double()\n    total = 0.0\n    for b in range(10):\n        mask = (confidence >= b / 10) & (confidence < (b + 1) / 10)\n        if mask.any():\n            total += mask.sum().item() / len(y) * abs((right[mask].mean() - confidence[mask].mean()).item())\n    return total\n",
}
WRONG_ANSWERS["check_top_k_accuracy"] = {
    "k ignored": "def my_top_k_accuracy(logits, y, k):\n    return (logits.argmax(dim=1) == y).double().mean().item()\n",
    "one class too many": "def my_top_k_accuracy(logits, y, k):\n    beaten_by = (logits > logits.gather(1, y.unsqueeze(1))).sum(dim=1)\n    return (beaten_by <= k).double().mean().item()\n",
    "the k smallest logits": "def my_top_k_accuracy(logits, y, k):\n    below = (logits < logits.gather(1, y.unsqueeze(1))).sum(dim=1)\n    return (below < k).double().mean().item()\n",
    "a count, not a fraction": "def my_top_k_accuracy(logits, y, k):\n    beaten_by = (logits > logits.gather(1, y.unsqueeze(1))).sum(dim=1)\n    return (beaten_by < k).sum().item()\n",
}
