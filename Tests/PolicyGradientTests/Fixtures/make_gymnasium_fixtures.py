"""Writes the golden Gymnasium trajectories replayed by the PolicyGradient environment tests.

Run once with Gymnasium 1.x on NumPy 2.x (NEP 50 promotion rules matter for
MountainCarContinuous-v0):

    python make_gymnasium_fixtures.py

Trajectory files are gzip-compressed JSON (`*.json.gz`). Every number is stored exactly: float64 values as 16 hex digits of their IEEE bit pattern,
float32 values as 8 hex digits; the per-step columns of an episode are concatenated into one
string each. Continuous actions are float64, as the environments compute in double precision
with them (float32 actions make NumPy evaluate parts of Pendulum's reward in float32).

An episode either starts from `env.reset(seed=seed)` (its `seed` is recorded) or from a state
written into the unwrapped environment after a reset (`seed` is null). `initialState` is the
state the first step starts from, `initialObservation` the observation for it.
"""

import gzip
import json
import math
import random
import struct
from pathlib import Path

import gymnasium as gym
import numpy as np

OUT = Path(__file__).resolve().parent


def f64_hex(value):
    return struct.pack(">d", float(value)).hex()


def f32_hex(value):
    return struct.pack(">f", np.float32(value)).hex()


def observation_hex(observation):
    observation = np.asarray(observation)
    assert observation.dtype == np.float32, observation.dtype
    return "".join(f32_hex(v) for v in observation)


def initial_observation(env, env_id):
    raw = env.unwrapped
    if env_id == "Acrobot-v1":
        return raw._get_ob()
    if env_id == "Pendulum-v1":
        return raw._get_obs()
    return np.array(raw.state, dtype=np.float32)


def run_episode(env, env_id, seed, injected_state, policy, rng):
    raw = env.unwrapped
    observation, _ = env.reset(seed=0 if seed is None else seed)
    if injected_state is not None:
        raw.state = np.array(injected_state, dtype=np.float64)
        observation = initial_observation(env, env_id)
    else:
        assert observation_hex(observation) == observation_hex(initial_observation(env, env_id))
    initial_state = [f64_hex(v) for v in np.asarray(raw.state).tolist()]
    episode = {
        "seed": seed,
        "initialState": initial_state,
        "initialObservation": observation_hex(observation),
    }
    actions, observations, rewards, terminated, truncated = [], [], [], [], []
    discrete = isinstance(env.action_space, gym.spaces.Discrete)
    while True:
        action = policy(observation, rng)
        if discrete:
            actions.append(str(action))
            step_action = int(action)
        else:
            actions.append(f64_hex(action))
            step_action = np.array([action], dtype=np.float64)
        observation, reward, term, trunc, _ = env.step(step_action)
        observations.append(observation_hex(observation))
        rewards.append(f64_hex(reward))
        terminated.append("1" if term else "0")
        truncated.append("1" if trunc else "0")
        if term or trunc:
            break
    episode.update(
        actions="".join(actions),
        observations="".join(observations),
        rewards="".join(rewards),
        terminated="".join(terminated),
        truncated="".join(truncated),
        finalState=[f64_hex(v) for v in np.asarray(raw.state).tolist()],
    )
    return episode, len(rewards)


# Action sources. Each gets the last observation and a seeded `random.Random`.
def uniform_discrete(count):
    return lambda observation, rng: rng.randrange(count)


def cartpole_balance(observation, rng):
    # A noisy balancing controller so that episodes reach the 500-step time limit.
    if rng.random() < 0.1:
        return rng.randrange(2)
    return 1 if observation[2] + 0.5 * observation[3] + 0.05 * observation[1] > 0 else 0


def acrobot_pump(observation, rng):
    # Torque along the second joint's angular velocity pumps energy until the tip swings up.
    if rng.random() < 0.1:
        return rng.randrange(3)
    return 2 if observation[5] > 0 else 0


def uniform_continuous(low, high):
    return lambda observation, rng: rng.uniform(low, high)


def pendulum_spin(observation, rng):
    # Bang-bang along the angular velocity: the pendulum spins, so the angle leaves [-pi, pi].
    magnitude = rng.choice([2.0, 2.0, 1.5, 3.0])
    return magnitude if observation[2] >= 0 else -magnitude


def mountain_car_pump(observation, rng):
    # Push along the velocity; magnitudes beyond 1 exercise the clipping path, exactly 1 the
    # unclipped one.
    magnitude = rng.choice([1.0, 1.0, 1.25, 0.9, rng.uniform(0.5, 2.0)])
    return magnitude if observation[1] >= 0 else -magnitude


# Besides the short, targeted episodes, every environment has full-length episodes from
# `reset(seed=...)` under uniformly random actions (continuous ones from 1.25x the action bounds,
# so that clipping is exercised): rare last-bit differences (a libm call folded into an
# arithmetic shortcut, say) only show over thousands of steps.
ENVIRONMENTS = {
    "CartPole-v1": {
        "file": "cartpole.json.gz",
        "episodes": [(seed, None, uniform_discrete(2)) for seed in range(60)]
        + [(1000 + seed, None, cartpole_balance) for seed in range(4)],
    },
    "Acrobot-v1": {
        "file": "acrobot.json.gz",
        "episodes": [(seed, None, uniform_discrete(3)) for seed in range(3)]
        + [(2000 + seed, None, acrobot_pump) for seed in range(20)]
        + [(5000 + seed, None, uniform_discrete(3)) for seed in range(8)],
    },
    "Pendulum-v1": {
        "file": "pendulum.json.gz",
        "episodes": [(seed, None, uniform_continuous(-2.5, 2.5)) for seed in range(6)]
        + [(3000 + seed, None, pendulum_spin) for seed in range(6)]
        + [(None, [50.0, 7.5], pendulum_spin), (None, [-1e4 + 0.25, -8.0], pendulum_spin)]
        + [(6000 + seed, None, uniform_continuous(-2.5, 2.5)) for seed in range(24)],
    },
    "MountainCarContinuous-v0": {
        "file": "mountaincar.json.gz",
        "episodes": [(seed, None, uniform_continuous(-1.5, 1.5)) for seed in range(2)]
        + [(4000 + seed, None, mountain_car_pump) for seed in range(12)]
        + [(7000 + seed, None, uniform_continuous(-1.25, 1.25)) for seed in range(8)]
        + [
            (None, [-1.19, -0.069], mountain_car_pump),
            (None, [-0.3, 0.0699], uniform_continuous(-1.5, 1.5)),
            (None, [0.44, 0.069], uniform_continuous(0.9, 1.5)),
            (None, [-1.2, -0.05], uniform_continuous(-1.5, -0.9)),
            (None, [0.0, -0.0699], uniform_continuous(-1.5, -0.9)),
            (None, [0.1, -0.0695], uniform_continuous(-1.0, -1.0)),
            (None, [0.55, 0.0699], uniform_continuous(0.9, 1.5)),
            (None, [0.5, 0.0695], uniform_continuous(1.0, 1.0)),
        ],
    },
}


def numpy_reference():
    """NumPy's float32 sin/cos (its own SIMD kernel, not libm) and PCG64 raw outputs."""
    rng = np.random.default_rng(20240601)
    samples = [
        rng.uniform(-0.1, 0.1, 3000),
        rng.uniform(-4.0, 4.0, 1000),
        rng.uniform(-2e5, 2e5, 300),
    ]
    wide = rng.uniform(-0.1, 0.1, 400_000).astype(np.float32)
    # Inputs where NumPy's result is not the correctly rounded one.
    off = wide[(np.cos(wide) != np.cos(wide.astype(np.float64)).astype(np.float32))
               | (np.sin(wide) != np.sin(wide.astype(np.float64)).astype(np.float32))]
    special = np.array([0.0, -0.0, 1e-30, -1e-30, np.pi / 4, 71476.0625, 71476.07,
                        117435.992, 117436.0, 1e30, np.inf, -np.inf], dtype=np.float32)
    x = np.concatenate([s.astype(np.float32) for s in samples] + [off[:600], special])
    with np.errstate(invalid="ignore"):
        cos, sin = np.cos(x), np.sin(x)
    seeds = [0, 1, 42, 123456789, 2**32 + 5, 2**64 - 1]
    return {
        "numpy": np.__version__,
        "float32Inputs": "".join(f32_hex(v) for v in x),
        "float32Cos": "".join(f32_hex(v) for v in cos),
        "float32Sin": "".join(f32_hex(v) for v in sin),
        "pcg64": [
            {"seed": seed, "raw": ["%016x" % v for v in
                                   np.random.PCG64(np.random.SeedSequence(seed)).random_raw(8)]}
            for seed in seeds
        ],
    }


def main():
    path = OUT / "numpy.json"
    path.write_text(json.dumps(numpy_reference(), separators=(",", ":")) + "\n")
    print(f"NumPy reference -> {path.name} ({path.stat().st_size // 1024} KiB)")
    for env_id, spec in ENVIRONMENTS.items():
        env = gym.make(env_id)
        episodes, steps = [], 0
        for index, (seed, state, policy) in enumerate(spec["episodes"]):
            rng = random.Random(7919 * index + len(env_id))
            episode, count = run_episode(env, env_id, seed, state, policy, rng)
            episodes.append(episode)
            steps += count
        document = {
            "environment": env_id,
            "gymnasium": gym.__version__,
            "numpy": np.__version__,
            "maxEpisodeSteps": env.spec.max_episode_steps,
            "episodes": episodes,
        }
        path = OUT / spec["file"]
        # gzip without a timestamp, so that the same trajectories give the same bytes.
        text = (json.dumps(document, separators=(",", ":")) + "\n").encode()
        path.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))
        print(f"{env_id}: {len(episodes)} episodes, {steps} steps -> {path.name} "
              f"({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
