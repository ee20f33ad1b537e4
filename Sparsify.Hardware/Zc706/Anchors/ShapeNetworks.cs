using Sparsify.Runtime.Kernels;
using Sparsify.Hardware.Zc706.Network;

namespace Sparsify.Hardware.Zc706.Anchors;

/// <summary>
/// Networks given by shape only, with dense weights known only as "every weight present": enough
/// for the cycle model (which never needs values) without building 138 M seeded VGG-16 weights.
/// </summary>
public static class ShapeNetworks
{
    /// <summary>VGG-16's 13 convolutions (each with its ReLU folded in) and 5 max pools on 3x224x224, dense 16-bit, as Qiu et al. ran them.</summary>
    public static ArrayNetwork Vgg16Convolutions()
    {
        var layers = new List<ArrayLayer>();
        int channels = 3, side = 224;
        var current = "data";
        int[][] blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        for (var b = 0; b < blocks.Length; b++)
        {
            for (var c = 0; c < blocks[b].Length; c++)
            {
                var name = $"conv{b + 1}_{c + 1}";
                var outChannels = blocks[b][c];
                layers.Add(new ArrayLayer(name, ArrayOp.Conv, [current], name, [[1, channels, side, side]], [1, outChannels, side, side])
                {
                    Window = Window2D.Create(3, 1, Padding2D.Uniform(1)),
                    Weights = new LayerWeights(outChannels, channels * 9, "dense", (long)outChannels * channels * 9, true, null, null),
                    Relu = true,
                });
                current = name;
                channels = outChannels;
            }

            var pool = $"pool{b + 1}";
            layers.Add(new ArrayLayer(pool, ArrayOp.MaxPool, [current], pool, [[1, channels, side, side]], [1, channels, side / 2, side / 2]) { Window = Window2D.Create(2, 2, Padding2D.None) });
            current = pool;
            side /= 2;
        }

        return new ArrayNetwork("VGG16-conv", [new ArrayValue("data", [1, 3, 224, 224])], [new ArrayValue(current, [1, channels, side, side])], layers);
    }
}
