"""The pretrained networks' architectures as arithmetic: their blocks, each with the
weights it trains once unfrozen, the weights that stay frozen, and the values its layers
output for one image (no TensorFlow). `cnnviz.backbones` sums them for any
`trainable_blocks`; the tests check every number against the Keras models
`cnnviz.backbone_keras` builds.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIRES", "INVERTED", "Block", "mobilenet_v2_blocks", "squeezenet_blocks"]


@dataclass(frozen=True)
class Block:
    """One block of a backbone, the unit `trainable_blocks` unfreezes.

    Attributes:
        name: its layers' name prefix, e.g. "fire9" or "block_16".
        trainable: weights it trains once unfrozen (convolution kernels and biases).
        frozen: weights that never train (batch normalisation's, kept from ImageNet).
        activations: values its layers output for one image (for memory estimates).
    """

    name: str
    trainable: int
    frozen: int
    activations: int


FIRES = (  # (block, squeeze filters, expand filters), as cnnviz.backbone_keras builds them
    ("fire2", 16, 64),
    ("fire3", 16, 64),
    ("fire4", 32, 128),
    ("fire5", 32, 128),
    ("fire6", 48, 192),
    ("fire7", 48, 192),
    ("fire8", 64, 256),
    ("fire9", 64, 256),
)


def squeezenet_blocks() -> tuple[Block, ...]:
    """SqueezeNet v1.1 at 227x227: conv1 (and its pooling), then the fire modules."""
    side = -(-227 // 2)  # conv1: 3x3, stride 2, 'same'
    pooled = (side - 3) // 2 + 1  # maxpool1: 3x3, stride 2
    blocks = [Block("conv1", 3 * 3 * 3 * 64 + 64, 0, side * side * 64 + pooled * pooled * 64)]
    channels, side = 64, pooled
    for name, squeeze, expand in FIRES:
        weights = channels * squeeze + squeeze  # 1x1 squeeze
        weights += squeeze * expand + expand  # 1x1 expand
        weights += 9 * squeeze * expand + expand  # 3x3 expand
        channels = 2 * expand  # the two expands, concatenated
        values = side * side * (squeeze + 2 * expand + channels)
        if name in ("fire3", "fire5"):  # a 3x3, stride 2 max pooling follows
            side = (side - 3) // 2 + 1
            values += side * side * channels
        blocks.append(Block(name, weights, 0, values))
    return tuple(blocks)


INVERTED = (  # (expansion, output channels, stride) of block 0 (expanded_conv) to 16
    (1, 16, 1),
    (6, 24, 2),
    (6, 24, 1),
    (6, 32, 2),
    *[(6, 32, 1)] * 2,
    (6, 64, 2),
    *[(6, 64, 1)] * 3,
    *[(6, 96, 1)] * 3,
    (6, 160, 2),
    *[(6, 160, 1)] * 2,
    (6, 320, 1),
)


def mobilenet_v2_blocks() -> tuple[Block, ...]:
    """Keras's MobileNetV2 (alpha 1): convolutions without bias, each followed by a
    batch normalisation of 4 weights a channel (scale, offset, mean, variance)."""
    side, channels = 112, 32  # Conv1: 3x3, stride 2, 'same' on 224x224
    blocks = [Block("Conv1", 3 * 3 * 3 * 32, 4 * 32, 3 * side * side * 32)]  # conv, BN, ReLU
    for number, (expansion, out, stride) in enumerate(INVERTED):
        mid = channels * expansion
        trainable = (channels * mid if number else 0) + 9 * mid + mid * out
        frozen = 4 * ((mid if number else 0) + mid + out)
        values = 3 * side * side * mid if number else 0  # expand, BN, ReLU
        if stride == 2:
            values += (side + 1) * (side + 1) * mid  # zero padding
            side //= 2
        values += 3 * side * side * mid + 2 * side * side * out  # depthwise, project, BNs
        if stride == 1 and channels == out:
            values += side * side * out  # the residual Add
        name = f"block_{number}" if number else "expanded_conv"
        blocks.append(Block(name, trainable, frozen, values))
        channels = out
    blocks.append(Block("Conv_1", channels * 1280, 4 * 1280, 3 * side * side * 1280))
    return tuple(blocks)
