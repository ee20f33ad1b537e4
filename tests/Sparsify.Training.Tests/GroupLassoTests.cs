using Sparsify.Runtime.Kernels;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Sparsity;
using Sparsify.Training;

namespace Sparsify.Training.Tests;

[TestClass]
public sealed class GroupLassoTests
{
    // 5 rows x 3 columns; with G = 2 the groups are rows {0,1}, {2,3} and the short {4}.
    private static readonly float[] Values =
    [
        3, 0, 1,
        4, 0, -1,
        1, 2, 0.1f,
        -1, 2, 0.1f,
        5, -0.5f, 0,
    ];

    [TestMethod]
    public void PenaltyIsLambdaTimesTheSumOfGroupColumnNorms()
    {
        var matrix = Fc(Values);

        var penalty = GroupLasso.Penalty(matrix, groupSize: 2, lambda: 0.5);

        double expected = 5 + 0 + Math.Sqrt(2) + Math.Sqrt(2) + Math.Sqrt(8) + Math.Sqrt(0.02) + 5 + 0.5 + 0;
        Assert.AreEqual(0.5 * expected, penalty, 1e-6);
    }

    [TestMethod]
    public void GradientMatchesFiniteDifferencesAndIsZeroOnZeroGroups()
    {
        var matrix = Fc(Values);
        var gradient = GroupLasso.Gradient(matrix, groupSize: 2, lambda: 0.3);

        for (var i = 0; i < Values.Length; i++)
        {
            var column = i % 3;
            var row = i / 3;
            if (column == 1 && row < 2 || column == 2 && row == 4)
            {
                Assert.AreEqual(0f, gradient[i], $"weight {i} is in an all-zero group: the subgradient chosen is 0");
                continue;
            }

            var saved = matrix.Values[i];
            matrix.Values[i] = saved + 1e-3f;
            var plus = GroupLasso.Penalty(matrix, 2, 0.3);
            matrix.Values[i] = saved - 1e-3f;
            var minus = GroupLasso.Penalty(matrix, 2, 0.3);
            matrix.Values[i] = saved;
            Assert.AreEqual((plus - minus) / 2e-3, gradient[i], 1e-3, $"weight {i}");
        }
    }

    [TestMethod]
    public void ShrinkIsTheProximalStepAndZeroesWholeGroupColumns()
    {
        var matrix = Fc(Values);

        var zeroed = GroupLasso.Shrink(matrix, groupSize: 2, threshold: 1.0);

        // Group {0,1}, column 0: norm 5 → scaled by 0.8. Column 2: norm √2 → by 1 − 1/√2.
        Assert.AreEqual(2.4f, matrix.Values[0], 1e-6f);
        Assert.AreEqual(3.2f, matrix.Values[3], 1e-6f);
        Assert.AreEqual((float)(1 - 1 / Math.Sqrt(2)), matrix.Values[2], 1e-6f);

        // Group {2,3}, column 2: norm √0.02 < 1 → both exactly +0. Column 0 (norm √2) survives.
        Assert.AreEqual(0f, matrix.Values[8]);
        Assert.AreEqual(0f, matrix.Values[11]);
        Assert.IsFalse(float.IsNegative(matrix.Values[11]), "zeroed weights are +0");
        Assert.AreNotEqual(0f, matrix.Values[6]);

        // Group {4}: column 1 (norm 0.5) goes, column 0 (5) stays at 4. Already-zero columns count as zeroed.
        Assert.AreEqual(0f, matrix.Values[13]);
        Assert.AreEqual(4f, matrix.Values[12], 1e-6f);
        Assert.AreEqual(4, zeroed); // {0,1} col 1; {2,3} col 2; {4} cols 1 and 2
    }

    [TestMethod]
    public void GroupsNeverStraddleConvGroups()
    {
        // 6 filters in 2 conv groups of 3; G = 2 gives rows {0,1}, {2}, {3,4}, {5}: row 2 and row 3 must not share.
        var weights = new Tensor(new Shape(6, 1, 1, 1), [1, 1, 1, 1, 1, 1]);
        var conv = new ConvLayer("conv", "x", "y", weights, null, Window2D.Create(1, 1, Padding2D.None), group: 2);
        var matrix = WeightMatrix.Of(conv);

        var penalty = GroupLasso.Penalty(matrix, groupSize: 2, lambda: 1);

        Assert.AreEqual((2 * Math.Sqrt(2)) + 2, penalty, 1e-9);
    }

    private static WeightMatrix Fc(float[] values) =>
        WeightMatrix.Of(new FullyConnectedLayer("fc", "x", "y", new Tensor(new Shape(5, 3), values.ToArray()), null));
}
