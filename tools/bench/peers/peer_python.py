#!/usr/bin/env python3
"""The bench's Python peers: the course's He step in numpy, and the same step in PyTorch eager.

Usage: peer_python.py numpy|torch ITERATIONS FILE

FILE is handloop_he's input (../shared/bench/handloop_he.cpp's header; the bench writes it
from xgrad's own circles and He draws): m; X as 2 rows of m; Y as m 0/1 labels; W1 (10x2),
W2 (5x10), W3 (1x5) row-major. The biases start at zero, as the course's He initialization
makes them. Runs ITERATIONS full-batch gradient-descent steps (learning rate 0.01) on one
thread and prints one JSON line: first_cost (the cost at the initial weights, computed by the
first timed step), last_cost, seconds and us_per_iter, timed around the training loop only
(like handloop_he).

numpy: the course's vectorised code (course-notes.txt: forward_propagation_n for the
forward pass and the cost, backward_propagation_with_regularization with lambd = 0 for the
gradients, update_parameters' W - learning_rate * dW), computing the cost every step as the
course's model() does.

torch: the same network as torch.nn.Sequential of Linear/ReLU/Linear/ReLU/Linear/Sigmoid in
float64, examples as rows (PyTorch's layout), binary_cross_entropy (mean over examples: the
course's cross-entropy), loss.backward() and the update under torch.no_grad().
"""

import json
import os
import sys
import time

LEARNING_RATE = 0.01
DIMS = [2, 10, 5, 1]


def read_input(path):
    """The handloop_he input file as numpy arrays: X (2, m), Y (1, m), [W1, W2, W3]."""
    import numpy as np

    with open(path) as f:
        values = np.array(f.read().split(), dtype=np.float64)
    weight_count = sum(rows * columns for rows, columns in zip(DIMS[1:], DIMS[:-1]))
    m = int(values[0]) if len(values) > 0 else 0
    if m < 1 or len(values) != 1 + 3 * m + weight_count:
        raise SystemExit(f"{path}: {len(values)} numbers; expected m >= 1 first, then 3 m + "
                         f"{weight_count} numbers (X, Y, W1, W2, W3)")
    at = 1
    X = values[at:at + 2 * m].reshape(2, m)
    at += 2 * m
    Y = values[at:at + m].reshape(1, m)
    at += m
    if not np.all((Y == 0) | (Y == 1)):
        raise SystemExit(f"{path}: a label in Y is neither 0 nor 1")
    weights = []
    for rows, columns in zip(DIMS[1:], DIMS[:-1]):
        weights.append(values[at:at + rows * columns].reshape(rows, columns).copy())
        at += rows * columns
    return np.ascontiguousarray(X), np.ascontiguousarray(Y), weights


def run_numpy(iterations, X, Y, weights):
    import numpy as np

    def relu(x):
        return np.maximum(0, x)

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    parameters = {}
    for l, W in enumerate(weights, start=1):
        parameters["W" + str(l)] = W
        parameters["b" + str(l)] = np.zeros((W.shape[0], 1))
    m = X.shape[1]
    costs = []
    start = time.perf_counter()
    for _ in range(iterations):
        W1, b1 = parameters["W1"], parameters["b1"]
        W2, b2 = parameters["W2"], parameters["b2"]
        W3, b3 = parameters["W3"], parameters["b3"]
        # forward_propagation_n
        Z1 = np.dot(W1, X) + b1
        A1 = relu(Z1)
        Z2 = np.dot(W2, A1) + b2
        A2 = relu(Z2)
        Z3 = np.dot(W3, A2) + b3
        A3 = sigmoid(Z3)
        logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
        cost = 1. / m * np.sum(logprobs)
        # backward_propagation_with_regularization, lambd = 0
        dZ3 = A3 - Y
        dW3 = 1. / m * np.dot(dZ3, A2.T)
        db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
        dA2 = np.dot(W3.T, dZ3)
        dZ2 = np.multiply(dA2, np.int64(A2 > 0))
        dW2 = 1. / m * np.dot(dZ2, A1.T)
        db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
        dA1 = np.dot(W2.T, dZ2)
        dZ1 = np.multiply(dA1, np.int64(A1 > 0))
        dW1 = 1. / m * np.dot(dZ1, X.T)
        db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}
        # update_parameters
        for l in range(1, 4):
            parameters["W" + str(l)] = parameters["W" + str(l)] - LEARNING_RATE * grads["dW" + str(l)]
            parameters["b" + str(l)] = parameters["b" + str(l)] - LEARNING_RATE * grads["db" + str(l)]
        if not costs:
            costs.append(cost)
    seconds = time.perf_counter() - start
    return costs[0], float(cost), seconds


def run_torch(iterations, X, Y, weights):
    import torch

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    layers = []
    for W in weights:
        linear = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.zero_()
        layers += [linear, torch.nn.ReLU()]
    layers[-1] = torch.nn.Sigmoid()
    net = torch.nn.Sequential(*layers)
    x = torch.from_numpy(X.T.copy())  # (m, 2): one example per row
    y = torch.from_numpy(Y.T.copy())  # (m, 1)
    parameters = list(net.parameters())
    first = None
    start = time.perf_counter()
    for _ in range(iterations):
        loss = torch.nn.functional.binary_cross_entropy(net(x), y)
        loss.backward()
        with torch.no_grad():
            for p in parameters:
                p -= LEARNING_RATE * p.grad
                p.grad = None
        if first is None:
            first = loss.item()
    seconds = time.perf_counter() - start
    return first, loss.item(), seconds


def main(argv):
    if len(argv) != 4 or argv[1] not in ("numpy", "torch"):
        raise SystemExit("usage: peer_python.py numpy|torch ITERATIONS FILE")
    iterations = int(argv[2])
    if iterations < 1:
        raise SystemExit(f"ITERATIONS must be at least 1, got {argv[2]}")
    X, Y, weights = read_input(argv[3])
    run = run_numpy if argv[1] == "numpy" else run_torch
    first, last, seconds = run(iterations, X, Y, weights)
    print(json.dumps({"first_cost": first, "last_cost": last, "seconds": seconds,
                      "us_per_iter": seconds / iterations * 1e6}))


if __name__ == "__main__":
    # One thread for numpy's BLAS too (OpenBLAS reads this when numpy loads it).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main(sys.argv)
