using System.Runtime.InteropServices;
using System.Text.Json;
using Sparsify.Core.Ir;

namespace Sparsify.Core.Tests.Onnx;

/// <summary>
/// The models scripts/export-torch-fixtures.py exported with torch's own exporter, with the seeded
/// input and torch's output it recorded beside each (see fixtures.json).
/// </summary>
internal static class TorchFixtures
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Onnx", "TorchFixtures");

    private static readonly List<Fixture> Everything = Read();

    /// <summary>The fixtures that import; the others are kept to check that import refuses them clearly.</summary>
    public static IReadOnlyList<Fixture> All { get; } = Everything.Where(f => f.Refused is null).ToList();

    public static IReadOnlyList<Fixture> Refused { get; } = Everything.Where(f => f.Refused is not null).ToList();

    public static IEnumerable<object[]> Cases => All.SelectMany(f => f.Opsets.Select(o => new object[] { f.Name, o }));

    /// <summary>Each importable fixture, dense and pruned to 0.7: the cases the other run times are checked at.</summary>
    public static IEnumerable<object[]> DenseAndPruned => All.SelectMany(f => new[] { new object[] { f.Name, 0.0 }, [f.Name, 0.7] });

    public static Fixture Named(string name) => Everything.Single(f => f.Name == name);

    private static List<Fixture> Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "fixtures.json")));
        return document.RootElement.GetProperty("fixtures").EnumerateArray().Select(f => new Fixture(
            f.GetProperty("name").GetString()!,
            f.GetProperty("inputShape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
            f.GetProperty("opsets").EnumerateArray().Select(o => o.GetInt32()).ToArray(),
            f.GetProperty("refused").GetString())).ToList();
    }

    internal sealed record Fixture(string Name, int[] InputShape, int[] Opsets, string? Refused)
    {
        public string ModelPath(int opset) => Path.Combine(Folder, $"{Name}.opset{opset}.onnx");

        public Tensor Input => new(new Shape(InputShape), ReadFloats(Path.Combine(Folder, $"{Name}.input.f32")));

        public float[] TorchOutput(int opset) => ReadFloats(Path.Combine(Folder, $"{Name}.opset{opset}.torch.f32"));

        private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
    }
}
