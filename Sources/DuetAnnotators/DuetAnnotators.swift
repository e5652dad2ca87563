import DuetCore
/// Machine annotators (see the MachineAnnotator protocol in DuetCore).
public enum DuetAnnotators {}
