using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;
using Sparsify.Training;

namespace Sparsify.Training.Tests;

/// <summary>The training forward pass, the reference executor and ONNX Runtime see the same model.</summary>
[TestClass]
public sealed class ExecutorAgreementTests
{
    [TestMethod]
    public void ATrainedLeNetSavedAsOnnxPredictsTheSameEverywhere()
    {
        var lenet = TrainingFixture.TrainedLeNet();
        var test = TrainingFixture.TestSlice;
        var predictions = Trainer.Predict(lenet, test, threads: 2);

        var reloaded = OnnxModel.Load(OnnxModel.ToBytes(lenet));
        var batch = test.Batch(0, test.Count);
        var reference = new ReferenceExecutor(reloaded).Run(batch)[0];
        var onnxRuntime = OnnxRuntimeOracle.Run(OnnxModel.ToBytes(reloaded.WithBatch(test.Count)), batch);

        CollectionAssert.AreEqual(predictions, ArgMax(reference.Data, 10));
        CollectionAssert.AreEqual(predictions, ArgMax(onnxRuntime, 10));
        AssertTensor.Close(reference.Data, onnxRuntime, 1e-4, "ONNX Runtime vs reference executor");
        Assert.AreEqual(Trainer.Evaluate(lenet, test, threads: 2).Correct, predictions.Where((p, i) => p == test.Label(i)).Count());
    }

    [TestMethod]
    public void TrainingForwardMatchesTheReferenceExecutorOnEveryLayerType()
    {
        var input = TestData.SeededInput(new Shape(5, 3, 13, 13), 8);
        var logits = Mixed(softmax: false);
        var trainingLogits = TrainingForward(logits, input);

        var executor = new ReferenceExecutor(logits, new ExecutorOptions { MaxDegreeOfParallelism = 2 });
        AssertTensor.Close(executor.Run(input)[0].Data, trainingLogits, 1e-5, "training forward vs reference executor");

        // With a final Softmax the training pass stops at the logits; the executor applies it.
        var probabilities = new ReferenceExecutor(Mixed(softmax: true)).Run(input)[0].Data;
        Assert.AreEqual(6, new TrainingNetwork(Mixed(softmax: true)).ClassCount);
        AssertTensor.Close(probabilities, Softmax(TrainingForward(Mixed(softmax: true), input), 6), 1e-5, "softmax of training logits vs executor");
    }

    // Strided and grouped padded convolutions, LRN, max pooling with overlapping windows, both ReLU kinds of use.
    private static ModelGraph Mixed(bool softmax)
    {
        var builder = new GraphBuilder("mixed", new Shape(1, 3, 13, 13), 31)
            .Conv("conv1", 8, 3, stride: 2, pad: 1).Relu().Lrn("norm1", size: 3, alpha: 0.1f)
            .MaxPool("pool1", 2, 1)
            .Conv("conv2", 8, 3, pad: 1, group: 4).Relu()
            .FullyConnected("fc1", 12).Relu()
            .FullyConnected("fc2", 6);
        return (softmax ? builder.Softmax("prob") : builder).Build();
    }

    private static float[] TrainingForward(ModelGraph graph, Tensor input)
    {
        var network = new TrainingNetwork(graph);
        var batch = input.Shape[0];
        var shard = new ShardState(network, batch, withGradients: false);
        input.Data.CopyTo(shard.Values[TrainingNetwork.InputSlot], 0);
        network.Forward(shard, batch);
        return shard.Values[network.LogitsSlot].AsSpan(0, batch * network.ClassCount).ToArray();
    }

    private static int[] ArgMax(float[] rows, int classes) =>
        Enumerable.Range(0, rows.Length / classes).Select(r =>
        {
            var row = rows.AsSpan(r * classes, classes);
            var best = 0;
            for (var k = 1; k < classes; k++)
            {
                if (row[k] > row[best])
                {
                    best = k;
                }
            }

            return best;
        }).ToArray();

    private static float[] Softmax(float[] logits, int classes)
    {
        var result = new float[logits.Length];
        for (var r = 0; r < logits.Length / classes; r++)
        {
            var row = logits.AsSpan(r * classes, classes);
            var max = row.ToArray().Max();
            var sum = row.ToArray().Sum(v => Math.Exp(v - max));
            for (var k = 0; k < classes; k++)
            {
                result[(r * classes) + k] = (float)(Math.Exp(row[k] - max) / sum);
            }
        }

        return result;
    }
}
