"""Measures Gymnasium's environment steps per second for the classic-control environments.

For each environment: a single `gym.make` environment stepped in a Python loop (resetting when
an episode ends), and a `gymnasium.vector.SyncVectorEnv` of `--num-envs` copies (next-step
autoreset, Gymnasium's default) counting `num_envs` environment steps per call. Actions are
drawn up front from the action space so that sampling is not timed. Prints one JSON document:

    {"gymnasium": "1.4.0", "numpy": "2.4.6", "python": "3.11.2", "numEnvs": 16,
     "results": [{"environment": "CartPole-v1", "mode": "single", "steps": 100000,
                  "seconds": 1.23, "stepsPerSecond": 81234.5}, ...]}

Usage: python gymnasium_steps.py [--steps N] [--num-envs N] [--repeats N] [--env ID ...]
"""

import argparse
import json
import platform
import time

import gymnasium as gym
import numpy as np

ENVIRONMENTS = ["CartPole-v1", "Acrobot-v1", "Pendulum-v1", "MountainCarContinuous-v0"]


def sample_actions(space, count, seed):
    space.seed(seed)
    return [space.sample() for _ in range(count)]


def time_single(env_id, steps, seed):
    env = gym.make(env_id)
    actions = sample_actions(env.action_space, steps, seed)
    env.reset(seed=seed)
    step = env.step
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, truncated, _ = step(action)
        if terminated or truncated:
            env.reset()
    elapsed = time.perf_counter() - start
    env.close()
    return elapsed


def time_vector(env_id, steps, num_envs, seed):
    envs = gym.vector.SyncVectorEnv([lambda: gym.make(env_id) for _ in range(num_envs)])
    calls = max(1, steps // num_envs)
    actions = sample_actions(envs.action_space, calls, seed)
    envs.reset(seed=seed)
    step = envs.step
    start = time.perf_counter()
    for action in actions:
        step(action)
    elapsed = time.perf_counter() - start
    envs.close()
    return elapsed, calls * num_envs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000, help="environment steps per measurement")
    parser.add_argument("--num-envs", type=int, default=16, help="copies in the vector environment")
    parser.add_argument("--repeats", type=int, default=3, help="measurements per case; the fastest is kept")
    parser.add_argument("--env", action="append", help="environment id (repeatable); default: all four")
    args = parser.parse_args()

    results = []
    for env_id in args.env or ENVIRONMENTS:
        best = min(time_single(env_id, args.steps, seed) for seed in range(args.repeats))
        results.append({"environment": env_id, "mode": "single", "steps": args.steps,
                        "seconds": best, "stepsPerSecond": args.steps / best})
        timings = [time_vector(env_id, args.steps, args.num_envs, seed) for seed in range(args.repeats)]
        seconds, steps = min(timings)
        results.append({"environment": env_id, "mode": f"vector{args.num_envs}", "steps": steps,
                        "seconds": seconds, "stepsPerSecond": steps / seconds})
    print(json.dumps({
        "gymnasium": gym.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "numEnvs": args.num_envs,
        "results": results,
    }, indent=2))


if __name__ == "__main__":
    main()
