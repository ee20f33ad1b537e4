using Sparsify.Training.Data;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Training.Tests.Data;
using Sparsify.Training;

namespace Sparsify.Training.Tests;

/// <summary>Small MNIST slices and one LeNet-5 trained on them, shared (as ONNX bytes, so every test gets its own copy).</summary>
internal static class TrainingFixture
{
    /// <summary>1,000 training digits, 100 of each class or near it.</summary>
    public static ImageDataset TrainSlice { get; } = MnistFixture.Train.Subsample(1000);

    /// <summary>500 test digits.</summary>
    public static ImageDataset TestSlice { get; } = MnistFixture.Test.Subsample(500);

    private static readonly Lazy<byte[]> Trained = new(() =>
    {
        var lenet = ModelBuilders.LeNet5(seed: 3);
        Trainer.Train(lenet, TrainSlice, new TrainingOptions { Epochs = 2, BatchSize = 32, Threads = 2, Seed = 5 });
        return OnnxModel.ToBytes(lenet);
    });

    /// <summary>A fresh copy of LeNet-5 after 2 epochs on <see cref="TrainSlice"/>.</summary>
    public static ModelGraph TrainedLeNet() => OnnxModel.Load(Trained.Value);

    /// <summary>Per layer, keeps the weights of largest magnitude so that <paramref name="sparsity"/> of them go.</summary>
    public static Dictionary<string, SparsityMask> MagnitudeMasks(ModelGraph graph, double sparsity)
    {
        var masks = new Dictionary<string, SparsityMask>();
        foreach (var matrix in WeightMatrix.AllOf(graph))
        {
            var sorted = matrix.Values.Select(Math.Abs).Order().ToArray();
            var threshold = sorted[(int)(sparsity * sorted.Length)];
            var values = matrix.Values;
            masks[matrix.LayerName] = new SparsityMask(matrix.Rows, matrix.Columns, (r, c) => Math.Abs(values[(r * matrix.Columns) + c]) >= threshold);
        }

        return masks;
    }
}
