namespace NnGen.Data;

/// <summary>How a loader writes class labels into <see cref="Dataset.Labels"/>.</summary>
public enum LabelEncoding
{
    /// <summary>
    /// One-hot rows: <see cref="Dataset.LabelSize"/> is the number of classes, with a 1 at the class and 0 elsewhere
    /// (what a softmax output layer with categorical cross-entropy trains on).
    /// </summary>
    OneHot = 0,

    /// <summary>One float per example holding the class index 0, 1, …, k − 1 (<see cref="Dataset.LabelSize"/> 1).</summary>
    ClassIndex = 1,
}
