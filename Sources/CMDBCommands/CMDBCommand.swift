public enum CMDBCommand { public static func main() {} }
