"""Specs with odd shapes, kernels, strides and layers, shared by the build and code tests."""

ODD_SPECS = {
    "odd sizes, non-square kernels, strides": (
        (31, 17, 3),
        [
            {"type": "Conv2D", "filters": 5, "kernel_size": [3, 5], "strides": [2, 1]},
            {
                "type": "Conv2D",
                "filters": 7,
                "kernel_size": [1, 4],
                "strides": 3,
                "padding": "same",
                "use_bias": False,
            },
            {"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": "same"},
            {"type": "AveragePooling2D", "pool_size": [2, 3], "padding": "valid"},
            {"type": "Flatten"},
            {"type": "Dense", "units": 9, "activation": "softmax"},
        ],
    ),
    "batch norm, global pooling, separable, depthwise": (
        (23, 29, 1),
        [
            {"type": "Rescaling", "scale": 2.0, "offset": -1.0},
            {"type": "ZeroPadding2D", "padding": [[1, 2], [0, 3]]},
            {
                "type": "SeparableConv2D",
                "filters": 6,
                "kernel_size": 3,
                "depth_multiplier": 2,
                "padding": "same",
                "activation": "selu",
            },
            {"type": "BatchNormalization", "momentum": 0.9},
            {
                "type": "DepthwiseConv2D",
                "kernel_size": [5, 3],
                "strides": 2,
                "depth_multiplier": 3,
                "activation": "swish",
            },
            {"type": "SpatialDropout2D", "rate": 0.1},
            {
                "type": "Conv2D",
                "filters": 4,
                "kernel_size": 3,
                "dilation_rate": 2,
                "activation": "leaky_relu",
            },
            {"type": "GlobalMaxPooling2D"},
            {"type": "BatchNormalization"},
            {"type": "Dense", "units": 12, "activation": "elu"},
            {"type": "Dropout", "rate": 0.3},
            {"type": "Activation", "activation": "tanh"},
            {"type": "Dense", "units": 3, "activation": "softmax"},
        ],
    ),
    "global average pooling on a 1x1 map": (
        (5, 5, 2),
        [
            {"type": "Conv2D", "filters": 3, "kernel_size": 5, "activation": "gelu"},
            {"type": "GlobalAveragePooling2D"},
            {"type": "Dense", "units": 1, "activation": "sigmoid"},
        ],
    ),
}
