"""DS-CNN (Zhang et al., "Hello Edge", 2017; the MLPerf Tiny KWS model), configurable.

Default = DS-CNN-S on 49x10 MFCC (REFERENCE section 4):
    conv 64 @ 10x4 stride 2 SAME + BN + ReLU          -> 25 x 5 x 64
    4 x [depthwise 3x3 SAME + BN + ReLU, pointwise 1x1 64 + BN + ReLU]
    average pool over the whole 25 x 5 map, flatten, dense 12, softmax
    22.6 K parameters after batch norm is folded, 2.66 M MACs.
The recipe trains it 128 wide (`train.py --filters 128`): 78.0 K parameters,
9.41 M MACs, 32,000 B of arena; 3 points better on real held-out speakers.

The pool is an explicit `AveragePooling2D` with the map's full size (not
`GlobalAveragePooling2D`, which converts to a MEAN op), and the export fixes the
batch at 1, so the .tflite holds only CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D,
FULLY_CONNECTED (reading the [1, 1, 1, 64] pool output directly) and SOFTMAX: the
MLPerf reference model's ops minus its RESHAPE. Batch norm folds into the
convolutions at conversion; dropout disappears.
"""


def ds_cnn(input_shape, classes=12, filters=64, blocks=4, first_kernel=(10, 4),
           first_stride=(2, 2), dropout=(0.2, 0.4), weight_decay=1e-4, bn_momentum=0.9):
  """A Keras DS-CNN for inputs [frames, bins] (a channel axis is added).

  `bn_momentum` 0.9, not Keras' 0.99: with 0.99 the moving variances (initialized
  at 1) still overstate layers whose true variance is far below 1 after a few
  hundred steps, and inference-mode outputs collapse to one class for the first
  epochs (seen here: validation stuck at one class after two epochs).
  """
  import keras
  from keras import layers

  reg = keras.regularizers.l2(weight_decay) if weight_decay else None
  frames, bins = input_shape
  inp = keras.Input(shape=(frames, bins, 1), name="features")
  x = layers.Conv2D(filters, first_kernel, strides=first_stride, padding="same",
                    kernel_regularizer=reg, name="conv0")(inp)
  x = layers.BatchNormalization(momentum=bn_momentum, name="conv0_bn")(x)
  x = layers.ReLU(name="conv0_relu")(x)
  x = layers.Dropout(dropout[0], name="conv0_drop")(x)
  for i in range(1, blocks + 1):
    x = layers.DepthwiseConv2D((3, 3), padding="same", depthwise_regularizer=reg,
                               name=f"dw{i}")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name=f"dw{i}_bn")(x)
    x = layers.ReLU(name=f"dw{i}_relu")(x)
    x = layers.Conv2D(filters, (1, 1), padding="same", kernel_regularizer=reg, name=f"pw{i}")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, name=f"pw{i}_bn")(x)
    x = layers.ReLU(name=f"pw{i}_relu")(x)
  x = layers.Dropout(dropout[1], name="final_drop")(x)
  h, w = x.shape[1], x.shape[2]
  x = layers.AveragePooling2D(pool_size=(h, w), name="avg_pool")(x)
  # Reshape, not Flatten: with the batch fixed at export it folds into FULLY_CONNECTED.
  x = layers.Reshape((filters,), name="flatten")(x)
  x = layers.Dense(classes, name="logits")(x)
  out = layers.Softmax(name="probabilities")(x)
  return keras.Model(inp, out, name=f"ds_cnn_{filters}x{blocks}")


def folded_parameter_count(model):
  """Parameters once batch norm is folded into the preceding layer (what ships)."""
  n = 0
  for layer in model.layers:
    if layer.__class__.__name__ == "BatchNormalization":
      continue
    for w in layer.get_weights():
      n += w.size
    # A conv followed by BN gains a bias when folded if it had none; ours all have bias.
  return n
