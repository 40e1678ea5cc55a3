"""A member's model soup: the weight average of its networks, stored as one LoRA adapter
(MiniLM's real weights with random adapters, no trained model needed)."""

import copy

import pytest

from pipeline.stance.inputs import StanceInput
from pipeline.stance.network import encode_pairs

ITEMS = [
    StanceInput("Ankara rejected the plan that Doha offered to broker.", 0, 6, "the plan", "rejected", 7, 15),
    StanceInput("Chile backed the truce.", 0, 5, None, "backed", 6, 12),
]


@pytest.fixture(scope="module")
def base_dir():
    from pipeline.stance.config import default_base_model_dir

    return default_base_model_dir()


def _trained_like(base_dir, seed: int):
    """A network whose adapter and head hold random weights, as if fine-tuned (peft starts
    every adapter at zero change)."""
    import torch
    from peft.tuners.lora import LoraLayer

    from pipeline.stance.training import _lora_network

    torch.manual_seed(seed)
    network = _lora_network(base_dir, 16)
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, LoraLayer):
                module.lora_A["default"].weight.normal_(0, 0.02)
                module.lora_B["default"].weight.normal_(0, 0.02)
        network.head.weight.normal_(0, 0.1)
    return network.eval()


def _logits(network, encoded):
    import torch

    with torch.no_grad():
        return network(**encoded).logits


def _plain_average(networks):
    """The textbook soup: merge each adapter into its weights and average every parameter."""
    import torch

    merged = []
    for network in networks:
        copied = copy.deepcopy(network)
        copied.encoder = copied.encoder.merge_and_unload()
        merged.append(copied)
    states = [m.state_dict() for m in merged]
    average = copy.deepcopy(merged[0])
    average.load_state_dict({key: torch.stack([s[key] for s in states]).mean(0) for key in states[0]})
    return average.eval()


def test_a_soup_at_full_rank_is_the_weight_average_of_its_networks(base_dir):
    import torch
    from transformers import AutoTokenizer

    from pipeline.stance.training import soup_networks

    networks = [_trained_like(base_dir, 1), _trained_like(base_dir, 2)]
    soup = soup_networks(networks, 32, base_dir)  # two rank-16 changes: their mean has rank <= 32
    encoded = encode_pairs(
        AutoTokenizer.from_pretrained(str(base_dir)), ITEMS, 3, 64, padding=True, return_tensors="pt"
    )
    expected = _logits(_plain_average(networks), encoded)
    assert torch.allclose(_logits(soup, encoded), expected, atol=1e-4)
    # and it is neither of its networks
    for network in networks:
        assert not torch.allclose(_logits(network, encoded), expected, atol=1e-2)


def test_a_soup_below_full_rank_keeps_the_top_singular_directions(base_dir):
    import torch
    from peft.tuners.lora import LoraLayer

    from pipeline.stance.training import soup_networks

    networks = [_trained_like(base_dir, 1), _trained_like(base_dir, 2)]
    soup = soup_networks(networks, 8, base_dir)
    modules = [dict(n.named_modules()) for n in networks]
    checked = 0
    for name, module in soup.named_modules():
        if not isinstance(module, LoraLayer):
            continue
        assert module.r["default"] == 8
        with torch.no_grad():
            mean = sum(m[name].get_delta_weight("default").double() for m in modules) / 2
            kept = module.get_delta_weight("default").double()
        assert torch.linalg.matrix_rank(kept, rtol=1e-4) == 8
        # the best rank-8 approximation (Eckart-Young): its error is the dropped singular values
        dropped = torch.linalg.svdvals(mean)[8:]
        error = torch.linalg.norm(mean - kept).item()
        assert error == pytest.approx(torch.linalg.norm(dropped).item(), rel=1e-4)
        checked += 1
    assert checked == 6 * 6  # six projections in each of MiniLM's six layers
    assert torch.allclose(soup.head.weight, (networks[0].head.weight + networks[1].head.weight) / 2)
