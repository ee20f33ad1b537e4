using Microsoft.ML.OnnxRuntime;
using Sparsify.Core.Ir;

namespace Sparsify.Core.Tests.Support;

/// <summary>Runs a model with ONNX Runtime, the dense reference Sparsify is held to.</summary>
internal static class OnnxRuntimeOracle
{
    public static float[] Run(string modelPath, Tensor input) => Run(new InferenceSession(modelPath, Options()), input);

    public static float[] Run(byte[] model, Tensor input) => Run(new InferenceSession(model, Options()), input);

    private static SessionOptions Options() => new() { IntraOpNumThreads = 2, InterOpNumThreads = 1 };

    private static float[] Run(InferenceSession session, Tensor input)
    {
        using (session)
        {
            var dims = input.Shape.Dims.ToArray().Select(d => (long)d).ToArray();
            using var value = OrtValue.CreateTensorValueFromMemory(input.Data, dims);
            using var runOptions = new RunOptions();
            var inputName = session.InputNames.Single();
            using var outputs = session.Run(runOptions, [inputName], [value], [session.OutputNames[0]]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
    }
}
