using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Runtime.Tests.Kernels;

[TestClass]
public sealed class BroadcastAndTransposeTests
{
    public static IEnumerable<object[]> Pairs =>
    [
        [new[] { 1, 3, 4, 5 }, new[] { 1, 3, 4, 5 }],
        [new[] { 1, 3, 4, 5 }, new[] { 1, 3, 1, 5 }],
        [new[] { 1, 3, 4, 1 }, new[] { 1, 3, 1, 5 }],
        [new[] { 1, 3, 4, 5 }, new[] { 4, 5 }],
        [new[] { 5 }, new[] { 2, 3, 1 }],
        [new[] { 2, 1, 4 }, new[] { 1 }],
        [new[] { 1 }, new[] { 1 }],
        [new[] { 2, 1, 3, 1, 2 }, new[] { 3, 4, 1 }],
    ];

    [TestMethod]
    [DynamicData(nameof(Pairs))]
    public void EachFunctionAgreesWithIndexArithmetic(int[] aShape, int[] bShape)
    {
        var shape = ManifestOps.BroadcastShape(aShape, bShape)!;
        var random = new Random(aShape.Length * 10 + bShape.Length);
        var a = Enumerable.Range(0, aShape.Aggregate(1, (x, d) => x * d)).Select(_ => random.NextSingle() + 0.25f).ToArray();
        var b = Enumerable.Range(0, bShape.Aggregate(1, (x, d) => x * d)).Select(_ => (random.NextSingle() * 4f) - 2f).ToArray();
        foreach (var function in ManifestOps.BroadcastFunctions)
        {
            var output = new float[shape.Aggregate(1, (x, d) => x * d)];
            Elementwise.Broadcast(function, a, aShape, b, bShape, output);
            for (var i = 0; i < output.Length; i++)
            {
                var (x, y) = (a[Source(i, shape, aShape)], b[Source(i, shape, bShape)]);
                var expected = function switch
                {
                    "Add" => x + y,
                    "Sub" => x - y,
                    "Mul" => x * y,
                    "Div" => x / y,
                    _ => MathF.Pow(x, y),
                };
                Assert.AreEqual(expected, output[i], $"{function} at {i} of [{string.Join(",", shape)}]");
            }
        }
    }

    [TestMethod]
    public void ShapesThatDisagreeAreRefused()
    {
        Assert.IsNull(ManifestOps.BroadcastShape([1, 3, 4, 5], [1, 3, 4, 4]));
        Assert.IsNull(ManifestOps.BroadcastShape([2, 3], [3, 3]));
        var e = Assert.ThrowsExactly<ArgumentException>(() => Elementwise.Broadcast("Add", new float[6], [2, 3], new float[9], [3, 3], new float[9]));
        StringAssert.Contains(e.Message, "do not broadcast");
        Assert.ThrowsExactly<ArgumentException>(() => Elementwise.Broadcast("Mod", new float[2], [2], new float[2], [2], new float[2]));
        Assert.ThrowsExactly<ArgumentException>(() => Elementwise.Broadcast("Add", new float[5], [2, 3], new float[3], [3], new float[6]), "an operand shorter than its shape");
        Assert.ThrowsExactly<ArgumentException>(() => Elementwise.Broadcast("Add", new float[6], [2, 3], new float[3], [3], new float[5]), "a short output");
    }

    [TestMethod]
    public void TheBroadcastShapeIsNumpys()
    {
        CollectionAssert.AreEqual(new[] { 1, 3, 4, 5 }, ManifestOps.BroadcastShape([1, 3, 4, 1], [3, 1, 5]));
        CollectionAssert.AreEqual(new[] { 2, 0 }, ManifestOps.BroadcastShape([2, 1], [0]), "a length 1 broadcasts to 0");
        CollectionAssert.AreEqual(new[] { 7 }, ManifestOps.BroadcastShape([7], []));
    }

    [TestMethod]
    [DataRow(new[] { 2, 3, 4 }, new[] { 2, 0, 1 })]
    [DataRow(new[] { 1, 3, 4, 5 }, new[] { 0, 2, 3, 1 })]
    [DataRow(new[] { 2, 1, 3, 2, 2 }, new[] { 4, 3, 2, 1, 0 })]
    [DataRow(new[] { 7 }, new[] { 0 })]
    public void ATransposeMovesEachValueToItsPermutedCoordinates(int[] shape, int[] perm)
    {
        var input = Enumerable.Range(0, shape.Aggregate(1, (x, d) => x * d)).Select(i => (float)i).ToArray();
        var output = new float[input.Length];
        DataMovement.Transpose(input, shape, perm, output);
        var outShape = perm.Select(a => shape[a]).ToArray();
        for (var i = 0; i < output.Length; i++)
        {
            // Output coordinates, then the input's: input axis perm[k] at output coordinate k.
            var coordinates = new int[shape.Length];
            var rest = i;
            for (var axis = outShape.Length - 1; axis >= 0; axis--)
            {
                coordinates[perm[axis]] = rest % outShape[axis];
                rest /= outShape[axis];
            }

            var source = 0;
            for (var axis = 0; axis < shape.Length; axis++)
            {
                source = (source * shape[axis]) + coordinates[axis];
            }

            Assert.AreEqual(input[source], output[i], $"value {i}");
        }

        Assert.ThrowsExactly<ArgumentException>(() => DataMovement.Transpose(input, shape, [.. perm, 0], output), "not a permutation");
    }

    // The flat index in an operand of output value i: its coordinates right-aligned, 0 along an axis of length 1.
    private static int Source(int i, int[] shape, int[] operand)
    {
        var (at, stride) = (0, 1);
        for (var axis = shape.Length - 1; axis >= 0; axis--)
        {
            var coordinate = i % shape[axis];
            i /= shape[axis];
            var o = axis - (shape.Length - operand.Length);
            if (o >= 0)
            {
                at += (operand[o] == 1 ? 0 : coordinate) * stride;
                stride *= operand[o];
            }
        }

        return at;
    }
}
