using System.CommandLine;
using System.Globalization;
using Sparsify.Core.Onnx;

namespace Sparsify.Cli.Commands;

/// <summary>The repeatable <c>--input-shape NAME=1x3x224x224</c> option shared by the commands that load a model.</summary>
internal static class InputShapeOption
{
    /// <summary>Creates the option; a value that is not <c>NAME=DIMS</c> is a usage error.</summary>
    public static Option<string[]> Create()
    {
        var option = new Option<string[]>("--input-shape")
        {
            Description = "Shape of a model input whose dimensions are symbolic, as NAME=DIMS (e.g. data=1x3x224x224). Repeat for several inputs.",
            HelpName = "NAME=DIMS",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!TryParse(token.Value, out _, out _, out var problem))
                {
                    result.AddError(problem);
                }
            }
        });
        return option;
    }

    /// <summary>Import options carrying the given shapes (already validated by the parser).</summary>
    public static OnnxImportOptions ToImportOptions(string[]? values)
    {
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            if (!TryParse(value, out var name, out var dims, out var problem))
            {
                throw new CliException(problem);
            }

            if (!shapes.TryAdd(name, dims))
            {
                throw new CliException($"--input-shape is given twice for input '{name}'");
            }
        }

        return new OnnxImportOptions { InputShapes = shapes };
    }

    private static bool TryParse(string value, out string name, out int[] dims, out string problem)
    {
        name = string.Empty;
        dims = [];
        problem = $"--input-shape '{value}' is not NAME=DIMS with positive dimensions, e.g. data=1x3x224x224";
        var equals = value.LastIndexOf('=');
        if (equals <= 0 || equals == value.Length - 1)
        {
            return false;
        }

        var parts = value[(equals + 1)..].Split('x', 'X', ',');
        var parsed = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] <= 0)
            {
                return false;
            }
        }

        name = value[..equals];
        dims = parsed;
        problem = string.Empty;
        return true;
    }
}
