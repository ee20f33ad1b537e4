namespace Sparsify.Training;

/// <summary>
/// The loss: softmax over each row of logits, then −log of the true class's probability. Its
/// gradient with respect to the logits is (softmax − one-hot), scaled here by 1/(whole batch size)
/// so the shards' gradients add up to the gradient of the batch mean.
/// </summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Writes dLoss/dLogits (times <paramref name="gradientScale"/>) into <paramref name="gradient"/>
    /// (may be null for evaluation) and returns the summed loss and the number of rows whose argmax is
    /// the label.
    /// </summary>
    public static (double LossSum, int Correct) Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, float gradientScale, Span<float> gradient)
    {
        double lossSum = 0;
        var correct = 0;
        for (var b = 0; b < labels.Length; b++)
        {
            var row = logits.Slice(b * classes, classes);
            var label = labels[b];
            var best = 0;
            for (var k = 1; k < classes; k++)
            {
                if (row[k] > row[best])
                {
                    best = k;
                }
            }

            if (best == label)
            {
                correct++;
            }

            // log Σ exp(z - max) in double: the loss of a confident wrong answer stays finite and exact.
            double max = row[best], sum = 0;
            for (var k = 0; k < classes; k++)
            {
                sum += Math.Exp(row[k] - max);
            }

            var logSum = Math.Log(sum);
            lossSum += logSum + max - row[label];
            if (!gradient.IsEmpty)
            {
                var g = gradient.Slice(b * classes, classes);
                for (var k = 0; k < classes; k++)
                {
                    var p = Math.Exp(row[k] - max - logSum);
                    g[k] = (float)((p - (k == label ? 1.0 : 0.0)) * gradientScale);
                }
            }
        }

        return (lossSum, correct);
    }
}
