# The test plugin's volume driver: one HTTP/1.1 request of Docker's volume plugin protocol on
# stdin (socat accepts the connection), its answer on stdout. Volumes are folders in /volumes.
read -r method path protocol
length=0
while read -r line; do
  line=$(printf '%s' "$line" | tr -d '\r')
  [ -z "$line" ] && break
  case "$line" in [Cc]ontent-[Ll]ength:*) length=$(printf '%s' "${line#*:}" | tr -d ' ') ;; esac
done
body=$(head -c "$length")
name=$(printf '%s' "$body" | sed -n 's/.*"Name" *: *"\([^"]*\)".*/\1/p')
label=$(printf '%s' "$body" | sed -n 's/.*"label" *: *"\([^"]*\)".*/\1/p')
mkdir -p /volumes
case "$path" in
  /Plugin.Activate) answer='{"Implements":["VolumeDriver"]}' ;;
  /VolumeDriver.Capabilities) answer='{"Capabilities":{"Scope":"local"}}' ;;
  /VolumeDriver.Create) mkdir -p "/volumes/$name" && printf '%s' "$label" > "/volumes/$name/.label" && answer='{}' ;;
  /VolumeDriver.Remove) rm -rf "/volumes/$name" && answer='{}' ;;
  /VolumeDriver.Get)
    if [ -d "/volumes/$name" ]; then
      answer="{\"Volume\":{\"Name\":\"$name\",\"Mountpoint\":\"/volumes/$name\",\"Status\":{\"label\":\"$(cat "/volumes/$name/.label")\"}}}"
    else
      answer="{\"Err\":\"no such volume: $name\"}"
    fi ;;
  /VolumeDriver.List)
    answer='{"Volumes":['
    separator=''
    for folder in /volumes/*; do
      [ -d "$folder" ] && answer="$answer$separator{\"Name\":\"${folder##*/}\"}" && separator=','
    done
    answer="$answer]}" ;;
  /VolumeDriver.Path) answer="{\"Mountpoint\":\"/volumes/$name\"}" ;;
  *) answer="{\"Err\":\"$method $path is not implemented\"}" ;;
esac
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' "${#answer}" "$answer"
