"""Mechanisms: plain functions and small classes over numbers and numpy arrays.

No Mesa, no Hydra, no pandas here, so each can be tested with numbers alone. The model
(`sim.model`) holds the state and calls these in named phases.
"""
