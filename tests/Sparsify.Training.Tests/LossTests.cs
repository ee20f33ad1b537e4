using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Training;

namespace Sparsify.Training.Tests;

[TestClass]
public sealed class LossTests
{
    [TestMethod]
    public void SoftmaxCrossEntropyGradientMatchesFiniteDifferences()
    {
        const int batch = 3, classes = 5;
        var random = new Random(3);
        var logits = Enumerable.Range(0, batch * classes).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        int[] labels = [4, 0, 2];
        var gradient = new float[logits.Length];
        SoftmaxCrossEntropy.Compute(logits, labels, classes, 1f / batch, gradient);

        for (var i = 0; i < logits.Length; i++)
        {
            var saved = logits[i];
            logits[i] = saved + 1e-2f;
            var plus = SoftmaxCrossEntropy.Compute(logits, labels, classes, 1f, []).LossSum / batch;
            logits[i] = saved - 1e-2f;
            var minus = SoftmaxCrossEntropy.Compute(logits, labels, classes, 1f, []).LossSum / batch;
            logits[i] = saved;
            Assert.AreEqual((plus - minus) / 2e-2, gradient[i], 2e-4, $"logit {i}");
        }
    }

    [TestMethod]
    public void LossIsMinusLogProbabilityAndCountsArgmax()
    {
        float[] logits = [1, 2, 3, 10, 0, 0];
        var (loss, correct) = SoftmaxCrossEntropy.Compute(logits, [2, 1], 3, 1f, []);

        var expected = -Math.Log(Math.Exp(3) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(3))) - Math.Log(1 / (Math.Exp(10) + 2));
        Assert.AreEqual(expected, loss, 1e-5);
        Assert.AreEqual(1, correct);
    }

    [TestMethod]
    public void AConfidentWrongAnswerHasAFiniteLoss()
    {
        var (loss, _) = SoftmaxCrossEntropy.Compute([1000f, -1000f], [1], 2, 1f, []);

        Assert.AreEqual(2000, loss, 1e-3);
    }

    [TestMethod]
    public void AFinalSoftmaxIsLeftOutSoTheLossSeesLogits()
    {
        var fc = new FullyConnectedLayer("fc", "x", "logits", LayerGradientTests.Seeded(new Shape(4, 3), 1), null);
        var softmax = new SoftmaxLayer("prob", "logits", "prob");
        var graph = ModelGraph.Create("withSoftmax", [new GraphValue("x", new Shape(1, 3))], [fc, softmax], ["prob"]);

        var network = new TrainingNetwork(graph);

        Assert.HasCount(1, network.Nodes);
        Assert.AreEqual(4, network.ClassCount);
        GradientCheck.Run(graph, batch: 2);
    }

    [TestMethod]
    public void UnsupportedLayersAreNamed()
    {
        var concat = new ConcatLayer("cat", ["x", "x"], "y", axis: 1);
        var graph = ModelGraph.Create("concat", [new GraphValue("x", new Shape(1, 3))], [concat], ["y"]);

        var e = Assert.ThrowsExactly<NotSupportedException>(() => new TrainingNetwork(graph));

        StringAssert.Contains(e.Message, "Concat 'cat'");
    }
}
