using System.Runtime.Intrinsics;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Runtime.Tests.Kernels;

[TestClass]
public sealed class ActivationTests
{
    private static readonly Activation[] Every =
        [Activation.None, Activation.Relu, Activation.Clip(0f, 6f), Activation.Clip(-1.5f, 0.25f), Activation.LeakyRelu(0.01f), Activation.HardSigmoid(0.2f, 0.5f), Activation.Sigmoid, Activation.Tanh, Activation.HardSwish(1f / 6, 0.5f), Activation.Swish];

    public static IEnumerable<object[]> Cases => Every.Select(a => new object[] { a.Kind, a.Alpha, a.Beta });

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void VectorsSpansAndScalarsAgree(ActivationKind kind, float alpha, float beta)
    {
        var activation = new Activation(kind, alpha, beta);
        var random = new Random(3);
        var input = Enumerable.Range(0, 203).Select(_ => (random.NextSingle() - 0.5f) * 16f).Concat([0f, -0f, 6f, -1.5f, 0.25f, 88f, -88f]).ToArray();
        var scalars = input.Select(activation.Apply).ToArray();

        var spans = new float[input.Length];
        activation.Apply(input, spans);
        AssertNear(scalars, spans, $"{activation} spans");

        for (var i = 0; i + 8 <= input.Length; i += 8)
        {
            var wide = activation.Apply(Vector256.Create(input.AsSpan(i, 8)));
            var narrow = activation.Apply(Vector128.Create(input.AsSpan(i, 4)));
            for (var lane = 0; lane < 8; lane++)
            {
                AssertNear([scalars[i + lane]], [wide[lane]], $"{activation} lane {lane} of {input[i + lane]}");
            }

            for (var lane = 0; lane < 4; lane++)
            {
                AssertNear([scalars[i + lane]], [narrow[lane]], $"{activation} 128-bit lane {lane} of {input[i + lane]}");
            }
        }

        var inPlace = (float[])input.Clone();
        activation.Apply(inPlace, inPlace);
        CollectionAssert.AreEqual(spans, inPlace, $"{activation} in place");
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void NaNStaysNaN(ActivationKind kind, float alpha, float beta)
    {
        var activation = new Activation(kind, alpha, beta);
        Assert.IsTrue(float.IsNaN(activation.Apply(float.NaN)), $"{activation} scalar");
        var values = new float[11];
        values[3] = float.NaN;
        values[9] = float.NaN;
        activation.Apply(values, values);
        Assert.IsTrue(float.IsNaN(values[3]) && float.IsNaN(values[9]), $"{activation} span");
        Assert.IsTrue(float.IsNaN(activation.Apply(Vector256.Create(float.NaN))[5]), $"{activation} vector");
    }

    [TestMethod]
    public void TheFunctionsAreTheOnnxOnes()
    {
        Assert.AreEqual(0f, Activation.Relu.Apply(-2f));
        Assert.AreEqual(6f, Activation.Clip(0f, 6f).Apply(7.5f));
        Assert.AreEqual(0f, Activation.Clip(0f, 6f).Apply(-1f));
        Assert.AreEqual(-0.02f, Activation.LeakyRelu(0.01f).Apply(-2f), 1e-7f);
        Assert.AreEqual(1f, Activation.HardSigmoid(1f / 6, 0.5f).Apply(3f));
        Assert.AreEqual(0.5f, Activation.HardSigmoid(1f / 6, 0.5f).Apply(0f));
        Assert.AreEqual(1f / (1f + MathF.Exp(-1f)), Activation.Sigmoid.Apply(1f));
        Assert.AreEqual(MathF.Tanh(0.3f), Activation.Tanh.Apply(0.3f));
        Assert.AreEqual(-4f, Activation.None.Apply(-4f));
        Assert.AreEqual(3f, Activation.HardSwish(1f / 6, 0.5f).Apply(3f));
        Assert.AreEqual(0f, Activation.HardSwish(1f / 6, 0.5f).Apply(-3f));
        Assert.AreEqual(1f * (1f / 6 + 0.5f), Activation.HardSwish(1f / 6, 0.5f).Apply(1f));
        Assert.AreEqual(2f / (1f + MathF.Exp(-2f)), Activation.Swish.Apply(2f));
        Assert.AreEqual(Activation.Relu, (Activation)true);
        Assert.AreEqual(Activation.None, (Activation)false);
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void TheTypeAKernelIsSpecialisedForComputesTheSameFunction(ActivationKind kind, float alpha, float beta)
    {
        var activation = new Activation(kind, alpha, beta);
        var probe = new Probe { Values = [-7.5f, -1.5f, -0.25f, -0f, 0f, 0.25f, 3f, 6f, 9f, float.NaN, float.PositiveInfinity, float.NegativeInfinity] };
        activation.Specialize(ref probe);
        Assert.IsNotNull(probe.Results, $"{activation} ran no kernel");
        for (var i = 0; i < probe.Values.Length; i++)
        {
            var expected = activation.Apply(probe.Values[i]);
            foreach (var actual in probe.Results[i])
            {
                Assert.IsTrue(expected.Equals(actual) || Math.Abs(expected - actual) <= 2e-7f * Math.Max(1f, Math.Abs(expected)), $"{activation} at {probe.Values[i]}: {expected} vs {actual}");
            }
        }
    }

    [TestMethod]
    [DataRow("Exp")]
    [DataRow("Neg")]
    [DataRow("Sqrt")]
    [DataRow("Erf")]
    [DataRow("Tanh")]
    public void TheUnaryFunctionsAgreeWithTheirScalarFormsInEveryLane(string function)
    {
        var random = new Random(5);
        var input = Enumerable.Range(0, 37).Select(_ => (random.NextSingle() - 0.3f) * 12f).Concat([0f, -0f, float.NaN, 1f]).ToArray();
        Func<float, float> scalar = function switch
        {
            "Exp" => MathF.Exp,
            "Neg" => v => -v,
            "Sqrt" => MathF.Sqrt,
            "Erf" => v => (float)Elementwise.Erf(v),
            _ => MathF.Tanh,
        };
        var output = new float[input.Length];
        Elementwise.Unary(function, input, output);
        for (var i = 0; i < input.Length; i++)
        {
            var expected = scalar(input[i]);
            Assert.IsTrue(
                expected.Equals(output[i]) || Math.Abs(expected - output[i]) <= 2e-7f * Math.Max(1f, Math.Abs(expected)),
                $"{function}({input[i]}) at {i}: {expected} vs {output[i]}");
        }

        // Negation flips the sign bit in the vector lanes as the scalar does.
        Elementwise.Neg(new float[8], output);
        Assert.IsTrue(output.Take(8).All(float.IsNegative), "Neg(0) is -0");
    }

    [TestMethod]
    public void AShortOutputIsRefused()
        => Assert.ThrowsExactly<ArgumentException>(() => Activation.Relu.Apply(new float[4], new float[3]));

    // The vector exponential rounds differently from MathF.Exp: within a few units in the last place.
    private static void AssertNear(float[] expected, float[] actual, string what)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(expected[i]))
            {
                Assert.IsTrue(float.IsNaN(actual[i]), what);
                continue;
            }

            Assert.IsLessThanOrEqualTo(2e-7f * Math.Max(1f, Math.Abs(expected[i])), Math.Abs(expected[i] - actual[i]), what);
        }
    }

    // Runs the specialised function on each value as a scalar, a 128-bit and a 256-bit lane.
    private struct Probe : IActivationKernel
    {
        public float[] Values;
        public float[][]? Results;

        public void Run<TFunction>(TFunction function)
            where TFunction : struct, IActivationFunction
        {
            Results = [.. Values.Select(v => new[] { function.Apply(v), function.Apply(Vector128.Create(v))[2], function.Apply(Vector256.Create(v))[5] })];
        }
    }
}
