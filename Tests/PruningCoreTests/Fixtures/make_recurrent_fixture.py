"""Writes recurrent_fixture.json: torch.nn.GRU and torch.nn.LSTM reference results.

Each model is two-layer, bidirectional and batch-first, with small sizes and a fixed seed. The
fixture holds the parameters under their PyTorch names, the input, the initial state, the
outputs and final states with and without that initial state, and the gradients of
`sum(output²) + sum(h_n²) (+ sum(c_n²))` with respect to every parameter, the input and the
initial state.

Run with a Python that has torch:  python make_recurrent_fixture.py
"""

import json
import os

import torch

INPUT_SIZE, HIDDEN_SIZE, LAYERS, BATCH, LENGTH = 3, 4, 2, 2, 5


def tensor(t):
    t = t.detach().to(torch.float32)
    return {"shape": list(t.shape), "values": t.reshape(-1).tolist()}


def run(kind):
    torch.manual_seed(20240601 if kind == "gru" else 20240602)
    cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
    model = cls(INPUT_SIZE, HIDDEN_SIZE, num_layers=LAYERS, bidirectional=True, batch_first=True)
    states = 2 * LAYERS
    x = torch.randn(BATCH, LENGTH, INPUT_SIZE, requires_grad=True)
    h0 = (0.5 * torch.randn(states, BATCH, HIDDEN_SIZE)).requires_grad_()
    c0 = (0.5 * torch.randn(states, BATCH, HIDDEN_SIZE)).requires_grad_()
    initial = h0 if kind == "gru" else (h0, c0)

    output, final = model(x, initial)
    with torch.no_grad():
        output_zero, final_zero = model(x)

    finals = [final] if kind == "gru" else list(final)
    loss = (output ** 2).sum() + sum((f ** 2).sum() for f in finals)
    loss.backward()

    record = {
        "config": {"input_size": INPUT_SIZE, "hidden_size": HIDDEN_SIZE, "layers": LAYERS,
                   "bidirectional": True, "batch_first": True},
        "parameters": {name: tensor(p) for name, p in model.named_parameters()},
        "input": tensor(x),
        "initial_hidden": tensor(h0),
        "output": tensor(output),
        "final_hidden": tensor(finals[0]),
        "output_zero_state": tensor(output_zero),
        "final_hidden_zero_state": tensor(final_zero if kind == "gru" else final_zero[0]),
        "parameter_gradients": {name: tensor(p.grad) for name, p in model.named_parameters()},
        "input_gradient": tensor(x.grad),
        "initial_hidden_gradient": tensor(h0.grad),
    }
    if kind == "lstm":
        record["initial_cell"] = tensor(c0)
        record["final_cell"] = tensor(finals[1])
        record["final_cell_zero_state"] = tensor(final_zero[1])
        record["initial_cell_gradient"] = tensor(c0.grad)
    return record


def main():
    fixture = {"torch_version": torch.__version__, "gru": run("gru"), "lstm": run("lstm")}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent_fixture.json")
    with open(path, "w") as f:
        json.dump(fixture, f)
        f.write("\n")


if __name__ == "__main__":
    main()
