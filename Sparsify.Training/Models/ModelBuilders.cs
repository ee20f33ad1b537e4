using Sparsify.Core.Ir;

namespace Sparsify.Training.Models;

/// <summary>
/// The reference networks, built in code with seeded weights: LeNet-5 for MNIST, AlexNet exactly as
/// the FCCM 2017 paper ran it (Caffe shapes, grouped conv2/4/5, LRN), and VGG-16.
/// </summary>
public static class ModelBuilders
{
    /// <summary>Names accepted by <see cref="Build"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lenet5", "alexnet", "vgg16"];

    /// <summary>Builds a model by name (case-insensitive).</summary>
    public static ModelGraph Build(string name, int seed = 1) => name.ToUpperInvariant() switch
    {
        "LENET5" or "LENET" => LeNet5(seed),
        "ALEXNET" => AlexNet(seed),
        "VGG16" => Vgg16(seed),
        _ => throw new ArgumentException($"unknown model '{name}'; known models: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>LeNet-5 (Caffe variant) on 1x28x28: conv 20@5x5, pool 2, conv 50@5x5, pool 2, fc 500, ReLU, fc 10.</summary>
    public static ModelGraph LeNet5(int seed = 1) =>
        new GraphBuilder("LeNet5", new Shape(1, 1, 28, 28), seed)
            .Conv("conv1", 20, 5).MaxPool("pool1", 2, 2)
            .Conv("conv2", 50, 5).MaxPool("pool2", 2, 2)
            .FullyConnected("fc1", 500).Relu()
            .FullyConnected("fc2", 10)
            .Build();

    /// <summary>
    /// AlexNet on 3x227x227 as in Caffe's reference model: 1.449 GOP per image (724.4 M MACs,
    /// 665.8 M of them in the convolutions), ending in a Softmax.
    /// </summary>
    public static ModelGraph AlexNet(int seed = 1) =>
        new GraphBuilder("AlexNet", new Shape(1, 3, 227, 227), seed)
            .Conv("conv1", 96, 11, stride: 4).Relu().Lrn("norm1").MaxPool("pool1", 3, 2)
            .Conv("conv2", 256, 5, pad: 2, group: 2).Relu().Lrn("norm2").MaxPool("pool2", 3, 2)
            .Conv("conv3", 384, 3, pad: 1).Relu()
            .Conv("conv4", 384, 3, pad: 1, group: 2).Relu()
            .Conv("conv5", 256, 3, pad: 1, group: 2).Relu().MaxPool("pool5", 3, 2)
            .FullyConnected("fc6", 4096).Relu()
            .FullyConnected("fc7", 4096).Relu()
            .FullyConnected("fc8", 1000).Softmax("prob")
            .Build();

    /// <summary>VGG-16 (configuration D) on 3x224x224: 13 3x3 convolutions, 5 max pools, 3 fully connected layers.</summary>
    public static ModelGraph Vgg16(int seed = 1)
    {
        var builder = new GraphBuilder("VGG16", new Shape(1, 3, 224, 224), seed);
        int[][] blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        for (var b = 0; b < blocks.Length; b++)
        {
            for (var c = 0; c < blocks[b].Length; c++)
            {
                builder.Conv($"conv{b + 1}_{c + 1}", blocks[b][c], 3, pad: 1).Relu();
            }

            builder.MaxPool($"pool{b + 1}", 2, 2);
        }

        return builder
            .FullyConnected("fc6", 4096).Relu()
            .FullyConnected("fc7", 4096).Relu()
            .FullyConnected("fc8", 1000)
            .Build();
    }
}
