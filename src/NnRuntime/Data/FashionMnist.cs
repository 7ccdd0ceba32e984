using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;

namespace NnGen.Data;

/// <summary>
/// Zalando's Fashion-MNIST: 28 × 28 grey-scale images of clothing in 10 classes, 60,000 for training and 10,000 for
/// testing, in the four IDX files of the original distribution. Debian's <c>dataset-fashion-mnist</c> package
/// (<c>apt-get install dataset-fashion-mnist</c>) installs them, gzip-compressed, in <see cref="DebianDirectory"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Pixels per image, 28 × 28: the <see cref="Dataset.InputSize"/> of the loaded data sets.</summary>
    public const int ImageSize = 28 * 28;

    /// <summary>The number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>The IDX file of the 60,000 training images, without the optional <c>.gz</c>.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte";

    /// <summary>The IDX file of the 60,000 training labels, without the optional <c>.gz</c>.</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte";

    /// <summary>The IDX file of the 10,000 test images, without the optional <c>.gz</c>.</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte";

    /// <summary>The IDX file of the 10,000 test labels, without the optional <c>.gz</c>.</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte";

    /// <summary>The names of classes 0 to 9, as in the data set's README: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new ReadOnlyCollection<string>(
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    /// <summary>
    /// Loads the training and test sets: pixels scaled to [0, 1] (byte / 255, rounded once to float), labels as one-hot
    /// rows of 10 or as class indices, and <see cref="ClassNames"/> attached.
    /// </summary>
    /// <param name="directory">
    /// A folder holding the four files, each plain or with <c>.gz</c> (plain is used when both exist); null for
    /// <see cref="DebianDirectory"/>.
    /// </param>
    /// <param name="encoding">One-hot rows (the default, for a softmax output) or class indices.</param>
    /// <returns>The 60,000 training and 10,000 test examples, in file order, with <see cref="Dataset.InputSize"/> 784.</returns>
    /// <exception cref="FileNotFoundException">
    /// A file is missing; the message lists the paths tried and, for the default folder, how to install the package.
    /// </exception>
    /// <exception cref="IOException">A file cannot be read (no permission).</exception>
    /// <exception cref="InvalidDataException">A file is damaged or not the expected IDX file (see <see cref="IdxReader.Read"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="encoding"/> is not a defined value.</exception>
    public static (Dataset Train, Dataset Test) Load(string? directory = null, LabelEncoding encoding = LabelEncoding.OneHot)
    {
        string folder = directory ?? DebianDirectory;
        Dataset train = IdxReader.LoadDataset(Find(folder, TrainImagesFile), Find(folder, TrainLabelsFile), ClassCount, encoding, classNames: ClassNames);
        Dataset test = IdxReader.LoadDataset(Find(folder, TestImagesFile), Find(folder, TestLabelsFile), ClassCount, encoding, classNames: ClassNames);
        return (train, test);
    }

    /// <summary>
    /// A streaming reader of the training (or test) set in mini-batches, for when the 188 MB of floats should not be held
    /// in memory: see <see cref="BatchReader.FromIdx"/>. Batches come in file order.
    /// </summary>
    /// <param name="batchSize">Examples per batch (the last batch may be smaller); at least 1.</param>
    /// <param name="test">True for the 10,000 test examples, false for the 60,000 training examples.</param>
    /// <param name="directory">A folder holding the files, or null for <see cref="DebianDirectory"/>.</param>
    /// <param name="encoding">One-hot rows (the default) or class indices.</param>
    /// <returns>A reader whose every enumeration is one pass over the file.</returns>
    /// <exception cref="FileNotFoundException">A file is missing (see <see cref="Load"/>).</exception>
    /// <exception cref="IOException">A file cannot be read (no permission).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1, or <paramref name="encoding"/> is not a defined value.</exception>
    /// <exception cref="InvalidDataException">
    /// A header is invalid, an uncompressed file's length disagrees with its header, or the two files disagree on the
    /// number of examples.
    /// </exception>
    public static BatchReader Batches(int batchSize, bool test = false, string? directory = null, LabelEncoding encoding = LabelEncoding.OneHot)
    {
        string folder = directory ?? DebianDirectory;
        return BatchReader.FromIdx(
            Find(folder, test ? TestImagesFile : TrainImagesFile),
            Find(folder, test ? TestLabelsFile : TrainLabelsFile),
            batchSize,
            ClassCount,
            encoding);
    }

    /// <summary>
    /// The folder holding all four files: <paramref name="directory"/> or, when null, <see cref="DebianDirectory"/>;
    /// null when a file is missing, with the reason in <paramref name="missing"/> (for tests and samples that skip
    /// without the data).
    /// </summary>
    /// <param name="directory">A folder to check, or null for <see cref="DebianDirectory"/>.</param>
    /// <param name="missing">Why the folder does not qualify; empty when it does.</param>
    /// <returns>The full path of the folder, or null.</returns>
    public static string? TryFindDirectory(string? directory, out string missing)
    {
        string folder = Path.GetFullPath(directory ?? DebianDirectory);
        foreach (string file in new[] { TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile })
        {
            if (TryFind(folder, file) is null)
            {
                missing = Missing(folder, file, directory is null);
                return null;
            }
        }

        missing = string.Empty;
        return folder;
    }

    private static string Find(string folder, string file) =>
        TryFind(folder, file) ?? throw new FileNotFoundException(Missing(folder, file, folder == DebianDirectory), Path.Combine(folder, file + ".gz"));

    private static string? TryFind(string folder, string file)
    {
        string plain = Path.Combine(folder, file);
        if (File.Exists(plain))
        {
            return plain;
        }

        string compressed = plain + ".gz";
        return File.Exists(compressed) ? compressed : null;
    }

    private static string Missing(string folder, string file, bool debian) =>
        $"Fashion-MNIST file not found: looked for '{Path.Combine(folder, file)}' and '{Path.Combine(folder, file + ".gz")}'."
        + (debian ? " Install Debian's package (apt-get install dataset-fashion-mnist) or pass the folder holding the files." : string.Empty);
}
